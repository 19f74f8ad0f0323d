"""The meeting room's page (its WebSocket is consumers.py) and the meeting's notes."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cpms.clinical.decorators import cpms_user_required
from cpms.lib.middleware import room_security_headers

from ..queries import get_meeting_for_user
from ..room_actions import RoomActionRefused, do_save_notes
from ..room_forms import NotesForm
from ..room_queries import agenda


def room_text() -> dict[str, str]:
    """The room's messages for room.js ({name} is filled in there)."""
    return {
        "unsupported": _(
            "This browser cannot join video meetings (no WebRTC or WebSocket). "
            "Use a current Chromium, Firefox or Safari, without a plug-in that blocks WebRTC."
        ),
        "media_refused": _(
            "The camera or microphone was refused or is missing. Allow them for this site in the browser "
            "(the icon beside the address), close other programs that use the camera, then reload. "
            "You can still join and follow the chat."
        ),
        "ice_failed": _(
            "The connection with {name} failed. Some networks block direct connections: try another network "
            "(not a guest Wi-Fi or a VPN), or ask your administrator to set up the TURN server."
        ),
        "4401": _("Your session has ended. Sign in again to join."),
        "4403": _("Joining a meeting needs two factors: sign in again with your second factor."),
        "4404": _("You are not, or no longer, invited to this meeting."),
        "4410": _("This meeting was cancelled."),
        "4409": _("The organiser did not let you in."),
        "4000": _("You joined this meeting from another window."),
        "4429": _(
            "The room is full: a meeting room holds six people for now. "
            "Ask the organiser, or try again when someone has left."
        ),
        "removed": _("{name} is no longer in the meeting."),
        "lost": _("The connection to the meeting was lost. Reload the page to join again."),
        "reconnecting": _("Reconnecting…"),
        "reconnected": _("Connected again."),
        "mute": _("Mute"),
        "unmute": _("Unmute"),
        "camera_off": _("Camera off"),
        "camera_on": _("Camera on"),
        "share": _("Share screen"),
        "stop_share": _("Stop sharing"),
        "admit": _("Admit {name}"),
        "refuse": _("Turn away {name}"),
        "joined": _("{name} joined."),
        "left": _("{name} left."),
        "knocked": _("{name} is waiting at the lobby."),
        "you": _("You"),
        "organiser": _("organiser"),
        "muted": _("muted"),
        "camera_is_off": _("camera off"),
        "sharing": _("sharing the screen"),
        "quality_good": _("Good connection"),
        "quality_fair": _("Fair connection"),
        "quality_poor": _("Poor connection"),
        "quality_unknown": _("Connecting…"),
        "quality_detail": _("round trip {rtt} ms, packets lost: {loss}%"),
        "notes_saved": _("Notes saved."),
        "notes_failed": _("The notes could not be saved: {error}"),
        "default_device": _("Default"),
        "no_device": _("None found"),
    }


@cpms_user_required
@require_GET
def meeting_room(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_meeting_for_user(request, meeting, what="room")
    meeting = found.meeting
    items = agenda(meeting)
    context = {
        "access": found,
        "meeting": meeting,
        "agenda": items,
        "notes_form": NotesForm(initial={"notes": meeting.notes}, items=items) if found.may_manage else None,
        "room_text": room_text(),
    }
    status = 200 if found.may_join else 403  # a coordinator reads the meeting; only invitees join
    response = render(request, "meetings/meeting_room.html", context, status=status)
    return room_security_headers(response, request.get_host(), request.is_secure())


@cpms_user_required
@require_http_methods(["GET", "POST"])
def meeting_notes(request: HttpRequest, meeting: int) -> HttpResponse:
    """Everyone who may read the meeting reads its notes; its organiser writes them (a fetch from the
    room gets 204, or 400 with the errors; the page a redirect)."""
    found = get_meeting_for_user(request, meeting, what="notes")
    meeting = found.meeting
    items = agenda(meeting)
    from_room = request.headers.get("X-Requested-With") == "cpms-room"
    form = NotesForm(initial={"notes": meeting.notes}, items=items)
    if request.method == "POST":
        if not found.may_manage:
            return HttpResponse(_("Only the organiser writes the notes."), status=403)
        form = NotesForm(request.POST, items=items)
        if form.is_valid():
            try:
                do_save_notes(
                    acting_user=request.user,
                    access=found,
                    notes=form.cleaned_data["notes"],
                    item_notes=form.item_notes(),
                )
            except RoomActionRefused as refused:
                if from_room:
                    return HttpResponse(str(refused.message), status=409)
                messages.error(request, refused.message)
                return redirect("meetings:meeting-notes", meeting.pk)
            if from_room:
                return HttpResponse(status=204)
            messages.success(request, _("Notes saved."))
            return redirect("meetings:meeting-notes", meeting.pk)
        if from_room:
            return HttpResponse(" ".join(e for errors in form.errors.values() for e in errors), status=400)
    context = {"access": found, "meeting": meeting, "agenda": items, "form": form}
    return render(request, "meetings/meeting_notes.html", context, status=400 if form.errors else 200)
