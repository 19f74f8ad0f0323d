"""A meeting's page, and the steps of its organiser and invitees: schedule, change, cancel, answer."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.access.queries.scopes import access_for
from cpms.clinical.decorators import cpms_user_required
from cpms.panels.queries.experts import ExpertFilter, describe_experts, experts, list_experts

from ..actions import (
    MeetingActionRefused,
    do_answer_invitation,
    do_cancel_meeting,
    do_change_meeting,
    do_schedule_meeting,
)
from ..calendar import clocks_differ
from ..forms import AgendaFormSet, AnswerForm, MeetingForm, plan_from
from ..models import Invitation
from ..queries import coordinator_ern_ids, find_meeting_for_user, get_meeting_for_user, schedulable_panels

SEARCH_SIZE = 10
DETAIL = "meetings:meeting-detail"


def zone_city(zone: str) -> str:
    """ "Europe/Berlin" → "Berlin": how the page names the organiser's zone ("15:00 Berlin time")."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def agenda_times(meeting, items) -> list[tuple]:
    """(item, its start) for each agenda item, one after the other from the meeting's start."""
    start, rows = meeting.starts_at, []
    for item in items:
        rows.append((item, start))
        start += timedelta(minutes=item.duration_minutes)
    return rows


@cpms_user_required
@require_GET
def meeting_detail(request: HttpRequest, meeting: int) -> HttpResponse:
    found = get_meeting_for_user(request, meeting)
    meeting = found.meeting
    items = list(meeting.agenda_items.select_related("panel__patient").order_by("position", "pk"))
    invitations = list(
        Invitation.objects.filter(meeting=meeting, removed_at__isnull=True)
        .select_related("user", "via_panel")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    context = {
        "access": found,
        "meeting": meeting,
        "agenda": agenda_times(meeting, items),
        "invitations": invitations,
        "organiser_zone": meeting.time_zone,
        "organiser_city": zone_city(meeting.time_zone),
        "other_zone": clocks_differ(meeting.starts_at, meeting.time_zone, request.user.time_zone),
        "is_over": meeting.ends_at <= timezone.now(),
        "answer_form": AnswerForm(),
    }
    return render(request, "meetings/meeting_detail.html", context)


def search_results(form: MeetingForm):
    q = form.cleaned_data.get("q", "") if form.is_bound and hasattr(form, "cleaned_data") else ""
    if not q.strip():
        return None
    return list_experts(ExpertFilter(name=q), size=SEARCH_SIZE)


def extra_people(ids):
    """The people named by ids (those added by hand), as directory rows."""
    return describe_experts(
        list(experts().filter(pk__in=list(ids)).order_by("last_name", "first_name", "pk"))
    )


def render_form(request, form, agenda, *, meeting=None, panel_invitees=(), status=200) -> HttpResponse:
    chosen = (
        form.cleaned_data.get("invitees", [])
        if hasattr(form, "cleaned_data")
        else form.initial.get("invitees", [])
    )
    context = {
        "form": form,
        "agenda_forms": agenda,
        "meeting": meeting,
        "chosen": extra_people(chosen or []),
        "chosen_ids": set(chosen or []),
        "results": search_results(form) if form.is_bound else None,
        "panel_invitees": panel_invitees,
    }
    return render(request, "meetings/meeting_form.html", context, status=status)


def submit(request, form, agenda, act, *, meeting=None, panel_invitees=()):
    """A POST of the form: "search" shows the directory's answer (nothing saved); else the action."""
    valid = form.is_valid() and agenda.is_valid()
    if "search" in request.POST or not valid:
        status = 400 if not valid and "search" not in request.POST else 200
        return render_form(
            request, form, agenda, meeting=meeting, panel_invitees=panel_invitees, status=status
        )
    try:
        result = act(plan_from(form, agenda))
    except MeetingActionRefused as error:
        form.add_error(None, error.message)
        return render_form(request, form, agenda, meeting=meeting, panel_invitees=panel_invitees, status=400)
    return result


@cpms_user_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    """A panel lead (from the panel's page, ?panel=<id>) or a Coordinator schedules a meeting."""
    access = access_for(request)
    panels = schedulable_panels(request.user, access)
    if not panels.exists():
        if coordinator_ern_ids(access):  # a coordinator whose ERN has no open panel yet
            return render(request, "meetings/meeting_new_empty.html")
        raise Http404
    if request.method == "POST":
        form, agenda = MeetingForm(request.POST), AgendaFormSet(request.POST, panels=panels)

        def schedule(plan):
            meeting = do_schedule_meeting(acting_user=request.user, plan=plan)
            messages.success(request, _("The meeting is scheduled: the invitations are sent."))
            return redirect(DETAIL, meeting.pk)

        return submit(request, form, agenda, schedule)
    asked = request.GET.get("panel", "")
    chosen = panels.filter(pk=int(asked)).first() if asked.isdigit() and len(asked) < 19 else None
    initial_agenda = [{"panel": chosen, "minutes": 20, "ORDER": 1}] if chosen else []
    title = _("Board on %(reference)s") % {"reference": chosen.reference} if chosen else ""
    form = MeetingForm(initial={"time_zone": request.user.time_zone, "duration_minutes": 60, "title": title})
    return render_form(request, form, AgendaFormSet(initial=initial_agenda, panels=panels))


def organised(request, meeting: int):
    """The meeting, for its organiser only: anyone else gets 404, as for a meeting not theirs."""
    found = find_meeting_for_user(request, meeting)
    if not found.may_manage:
        raise Http404
    return found.meeting


@cpms_user_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting: int) -> HttpResponse:
    meeting = organised(request, meeting)
    if meeting.is_cancelled or meeting.ends_at <= timezone.now():
        messages.error(request, _("This meeting can no longer be changed."))
        return redirect(DETAIL, meeting.pk)
    on_agenda = meeting.agenda_items.filter(panel__isnull=False).values_list("panel_id", flat=True)
    panels = schedulable_panels(request.user, access_for(request), keep=on_agenda)  # a subquery
    panel_invitees = list(
        Invitation.objects.filter(meeting=meeting, removed_at__isnull=True, via_panel__isnull=False)
        .select_related("user", "via_panel")
        .order_by("user__last_name", "pk")
    )
    if request.method == "POST":
        form, agenda = MeetingForm(request.POST), AgendaFormSet(request.POST, panels=panels)

        def change(plan):
            changes = do_change_meeting(acting_user=request.user, meeting=meeting, plan=plan)
            if changes.any:
                messages.success(request, _("The meeting is changed: the invitees are told."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(DETAIL, meeting.pk)

        return submit(request, form, agenda, change, meeting=meeting, panel_invitees=panel_invitees)
    local = timezone.localtime(meeting.starts_at, timezone=ZoneInfo(meeting.time_zone))
    extras = Invitation.objects.filter(meeting=meeting, removed_at__isnull=True, via_panel__isnull=True)
    form = MeetingForm(
        initial={
            "title": meeting.title,
            "date": local.date(),
            "time": local.time(),
            "time_zone": meeting.time_zone,
            "duration_minutes": meeting.duration_minutes,
            "invitees": list(extras.values_list("user_id", flat=True)),
        }
    )
    items = meeting.agenda_items.select_related("panel").order_by("position", "pk")
    initial = [
        {"panel": item.panel, "title": item.title, "minutes": item.duration_minutes, "ORDER": position}
        for position, item in enumerate(items, start=1)
    ]
    agenda = AgendaFormSet(initial=initial, panels=panels)
    return render_form(request, form, agenda, meeting=meeting, panel_invitees=panel_invitees)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, meeting: int) -> HttpResponse:
    meeting = organised(request, meeting)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Confirm the cancellation with the button."))
            return render(request, "meetings/meeting_cancel.html", {"meeting": meeting}, status=400)
        try:
            do_cancel_meeting(acting_user=request.user, meeting=meeting)
        except MeetingActionRefused as error:
            messages.error(request, error.message)
            return redirect(DETAIL, meeting.pk)
        messages.success(request, _("The meeting is cancelled: the invitees are told."))
        return redirect(DETAIL, meeting.pk)
    return render(request, "meetings/meeting_cancel.html", {"meeting": meeting})


@cpms_user_required
@require_POST
def invitation_answer(request: HttpRequest, meeting: int) -> HttpResponse:
    found = find_meeting_for_user(request, meeting)
    if not found.is_invited:
        raise Http404
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer accept, tentative or decline."))
        return redirect(DETAIL, found.meeting.pk)
    try:
        do_answer_invitation(
            acting_user=request.user, meeting=found.meeting, response=form.cleaned_data["response"]
        )
    except MeetingActionRefused as error:
        messages.error(request, error.message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect(DETAIL, found.meeting.pk)
