from django.urls import path

from .views import dashboards, panels

app_name = "panels"
urlpatterns = [
    # -- One panel (views/panels.py)
    path("panels/<int:panel>/", panels.panel_detail, name="panel-detail"),
    # -- dashboards (views/dashboards.py)
    path("panels/", dashboards.my_panels, name="my-panels"),
    path("panels/ern/<int:ern>/", dashboards.ern_dashboard, name="ern-dashboard"),
    path("panels/centre/<int:centre>/", dashboards.centre_panels, name="centre-panels"),
]
