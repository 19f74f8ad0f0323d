from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "cpms.patients"
    verbose_name = "Patients, consents and cases"
