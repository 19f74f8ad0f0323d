"""For the panel's page (templates/panels/panel_detail.html), which may not import meetings: the
panel's upcoming meetings and the notes filed from its past ones, read in two queries."""

from django import template

from cpms.access.queries.scopes import access_for

from ..listing import PanelMeetings, panel_meetings
from ..queries import coordinator_ern_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def meetings_of_panel(context, panel) -> PanelMeetings:
    """{% meetings_of_panel panel as meetings %}: for those who may read the panel's case (the
    template checks `access.may_read_case`)."""
    request = context["request"]
    return panel_meetings(panel, request.user, ern_ids=coordinator_ern_ids(access_for(request)))
