from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "cpms.access"
    verbose_name = "Access (request desk)"

    def ready(self):
        from cpms.identity.oidc_claims import register_scope_claims

        from .oidc import grants_claims

        register_scope_claims("cpms", grants_claims, claims=["cpms_grants"])
