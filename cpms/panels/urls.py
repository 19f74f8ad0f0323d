from django.urls import path

from .views import panels

app_name = "panels"
urlpatterns = [
    # -- One panel (views/panels.py)
    path("panels/<int:panel>/", panels.panel_detail, name="panel-detail"),
]
