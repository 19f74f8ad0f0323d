from django.urls import path

from .views import exchange

app_name = "patients"
urlpatterns: list = [
    # Take a case out, bring one in (cpms/patients/exchange)
    path("patients/<str:pseudonym>/case/export/", exchange.case_export, name="case-export"),
    path(
        "patients/<str:pseudonym>/case/export/phenopacket/",
        exchange.case_export_phenopacket,
        name="case-export-phenopacket",
    ),
    path("patients/<str:pseudonym>/case/export/fhir/", exchange.case_export_fhir, name="case-export-fhir"),
    path("patients/<str:pseudonym>/case/import/", exchange.case_import, name="case-import"),
    path(
        "patients/<str:pseudonym>/case/import/preview/",
        exchange.case_import_preview,
        name="case-import-preview",
    ),
]
