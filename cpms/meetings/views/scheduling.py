"""A meeting's page, and the steps of its organiser and invitees: schedule, change, cancel, answer."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cpms.clinical.decorators import cpms_user_required

from ..queries import get_meeting_for_user


@cpms_user_required
@require_GET
def meeting_detail(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_meeting_for_user(request, meeting)
    meeting = found.meeting
    context = {
        "access": found,
        "meeting": meeting,
        "agenda": meeting.agenda_items.select_related("panel__patient"),
    }
    return render(request, "meetings/meeting_detail.html", context)
