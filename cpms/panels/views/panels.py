"""One panel's overview: what is asked, of whom, where it stands."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cpms.clinical.decorators import cpms_user_required

from ..models import PanelStatus
from ..queries import get_panel_for_user
from ..queries.requests import shared_section_titles, triage_thread


@cpms_user_required
@require_GET
def panel_detail(request: HttpRequest, panel: int) -> HttpResponse:
    found = get_panel_for_user(request, panel)
    panel = found.panel
    context = {
        "access": found,
        "panel": panel,
        # -- requests and triage: the thread, what is shared, and the step the user may take now
        "thread": triage_thread(panel) if found.may_read_case else [],
        "shared_sections": shared_section_titles(panel),
        "may_change_draft": found.is_requester and panel.status == PanelStatus.DRAFT,
        "may_answer": found.is_requester and panel.status == PanelStatus.RETURNED,
        "may_triage": found.is_triager and panel.status == PanelStatus.SUBMITTED,
    }
    return render(request, "panels/panel_detail.html", context)
