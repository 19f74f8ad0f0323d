"""The REST API under /api/: its OpenAPI document, interactive docs, and version 1 of the resources."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI loads its script from this same route (?script): no inline script, under our CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/patients/", views.patient_list, name="patient-list"),
    path("v1/patients/<str:pseudonym>/", views.patient_detail, name="patient-detail"),
    path("v1/patients/<str:pseudonym>/consents/", views.consent_record, name="consent-record"),
    path("v1/patients/<str:pseudonym>/case/", views.case_detail, name="case-detail"),
    path("v1/patients/<str:pseudonym>/case/phenopacket/", views.case_phenopacket, name="case-phenopacket"),
    path("v1/patients/<str:pseudonym>/case/fhir/", views.case_fhir, name="case-fhir"),
    path("v1/panels/", views.panel_list, name="panel-list"),
    path("v1/panels/<int:panel>/", views.panel_detail, name="panel-detail"),
    path("v1/panels/<int:panel>/submit/", views.panel_submit, name="panel-submit"),
    path("v1/panels/<int:panel>/invitation/", views.invitation_answer, name="invitation-answer"),
    path("v1/panels/<int:panel>/triage/", views.panel_triage, name="panel-triage"),
    path("v1/panels/<int:panel>/case/", views.panel_case, name="panel-case"),
    path("v1/panels/<int:panel>/contributions/", views.contribution_list, name="contribution-list"),
    path("v1/panels/<int:panel>/outcome/", views.outcome_detail, name="outcome-detail"),
    path("v1/panels/<int:panel>/outcome/signoff/", views.outcome_signoff, name="outcome-signoff"),
    path("v1/meetings/", views.meeting_list, name="meeting-list"),
    path("v1/meetings/<int:meeting>/", views.meeting_detail, name="meeting-detail"),
    # Last: whatever matched nothing above answers 404 as problem JSON (the fuzzer sends /panels/-1/).
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),
]
