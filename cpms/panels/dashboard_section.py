"""The panels' section of the CPMS dashboard ("My panels and invitations"): counts and a link, one
query. Registered with cpms/clinical/dashboard_sections.py in PanelsConfig.ready()."""

from cpms.clinical.dashboard_sections import DashboardSection

from .queries.dashboards import panel_counts


def my_panels_section(request) -> DashboardSection:
    return DashboardSection("panels/_dashboard_section.html", {"counts": panel_counts(request)})
