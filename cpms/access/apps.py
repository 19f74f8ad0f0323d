from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "cpms.access"
    verbose_name = "Access (request desk)"
