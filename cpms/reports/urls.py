from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/runs/", views.report_request, name="report-request"),
    path("reports/runs/<int:run>/", views.report_detail, name="report-detail"),
    path("reports/runs/<int:run>/download/", views.report_download, name="report-download"),
]
