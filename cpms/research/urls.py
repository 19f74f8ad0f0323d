from django.urls import path

from . import views

app_name = "research"
urlpatterns = [
    path("research/", views.research_home, name="research-home"),
    path("research/<int:ern_id>/", views.research_query, name="research-query"),
    path("research/<int:ern_id>/export/", views.research_export, name="research-export"),
    path("research/<int:ern_id>/save/", views.research_save, name="research-save"),
    path("research/saved/<int:saved_id>/delete/", views.saved_query_delete, name="saved-query-delete"),
]
