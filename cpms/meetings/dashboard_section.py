"""The meetings' section of the CPMS dashboard ("Your next meetings"): the next few, one query.
Registered with cpms/clinical/dashboard_sections.py in MeetingsConfig.ready()."""

from cpms.clinical.dashboard_sections import DashboardSection

from .listing import next_meetings


def next_meetings_section(request) -> DashboardSection:
    return DashboardSection("meetings/_dashboard_section.html", {"meetings": next_meetings(request.user)})
