from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "cpms.clinical"
    verbose_name = "CPMS (clinical application)"
