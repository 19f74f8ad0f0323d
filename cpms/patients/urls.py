from django.urls import path

from .views import case, consents, patients

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
