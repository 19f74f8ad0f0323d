from django.urls import path

from .views import consents, patients

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
]
