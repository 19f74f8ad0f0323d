from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpms.audit"
    verbose_name = "Audit trail"
