from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "cpms.panels"
    verbose_name = _("Panels")

    def ready(self) -> None:
        from cpms.clinical.dashboard_sections import register

        from .dashboard_section import my_panels_section

        register(my_panels_section)
