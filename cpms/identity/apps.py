from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "cpms.identity"
    verbose_name = "Identity (CPMS Login)"
