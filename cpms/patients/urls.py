from django.urls import path

from .views import case, consents, exchange, patients

app_name = "patients"
urlpatterns = [
    path("patients/", patients.patient_list, name="patient-list"),
    path("patients/centre/<int:centre>/", patients.centre_patient_list, name="centre-patient-list"),
    path("patients/centre/<int:centre>/enrol/", patients.patient_enrol, name="patient-enrol"),
    path(
        "patients/consent-forms/<str:language>.pdf",
        consents.model_consent_form,
        name="model-consent-form",
    ),
    path("patients/<str:pseudonym>/", patients.patient_detail, name="patient-detail"),
    path("patients/<str:pseudonym>/history/", patients.patient_history, name="patient-history"),
    path("patients/<str:pseudonym>/remove/", patients.patient_remove, name="patient-remove"),
    path("patients/<str:pseudonym>/consents/", consents.consent_record, name="consent-record"),
    path(
        "patients/<str:pseudonym>/consents/forms/<int:document>/",
        consents.consent_form_download,
        name="consent-form-download",
    ),
    # -- The case (consultation form): summary, sections, autosaved drafts, attachments (views/case.py)
    path("patients/<str:pseudonym>/case/", case.case_detail, name="case-detail"),
    # -- Take a case out, bring one in (views/exchange.py): before the sections, whose slug would match
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
    path("patients/<str:pseudonym>/case/<slug:section>/", case.case_section, name="case-section"),
    path("patients/<str:pseudonym>/case/<slug:section>/draft/", case.case_draft, name="case-draft"),
    path(
        "patients/<str:pseudonym>/case/<slug:section>/draft/discard/",
        case.case_draft_discard,
        name="case-draft-discard",
    ),
    path(
        "patients/<str:pseudonym>/case/attachments/<int:attachment_id>/",
        case.case_attachment_download,
        name="case-attachment-download",
    ),
    path(
        "patients/<str:pseudonym>/case/attachments/<int:attachment_id>/remove/",
        case.case_attachment_remove,
        name="case-attachment-remove",
    ),
]
