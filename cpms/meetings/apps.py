from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "cpms.meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from cpms.clinical.dashboard_sections import register
        from cpms.panels import member_removals

        from .dashboard_section import next_meetings_section
        from .room_news import panel_member_removed

        register(next_meetings_section)
        member_removals.register(panel_member_removed)
