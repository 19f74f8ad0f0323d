from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "cpms.coding"
    verbose_name = "Terminologies (HPO, ORPHA, ICD-10)"
