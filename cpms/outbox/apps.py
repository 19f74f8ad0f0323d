from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "cpms.outbox"
    verbose_name = "Outbox (embedded default)"
