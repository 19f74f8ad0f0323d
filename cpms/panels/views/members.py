"""The members tab: who is in, who was invited, who declined; the lead's invitations and removals;
an invitee's answer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cpms.clinical.decorators import cpms_user_required
from cpms.clinical.models import ThematicArea

from ..actions import PanelActionRefused
from ..actions.members import (
    Invitations,
    do_accept_invitation,
    do_decline_invitation,
    do_invite_area_followers,
    do_invite_expert_group,
    do_invite_member,
    do_remove_member,
)
from ..forms.members import (
    ExpertSearchForm,
    InvitationAnswerForm,
    InviteAreaForm,
    InviteGroupForm,
    InviteMemberForm,
)
from ..queries import find_panel_for_user, get_panel_for_user
from ..queries.experts import list_experts
from ..queries.members import get_panel_members_for_user, groups_to_invite
from ..queries.suggestions import similar_panels, suggest_experts
from . import refused

MEMBERS = "panels:panel-members"
SEARCH_SIZE = 10


@cpms_user_required
@require_http_methods(["GET"])
def panel_members(request: HttpRequest, panel: int) -> HttpResponse:
    people = get_panel_members_for_user(request, panel)
    found = people.access
    context = {"access": found, "panel": found.panel, "people": people}
    if people.may_invite:
        search = ExpertSearchForm(request.GET or None)
        context |= {
            "search": search,
            "results": list_experts(search.filters(), after=request.GET.get("after", ""), size=SEARCH_SIZE)
            if request.GET
            else None,
            "groups": groups_to_invite(found.panel),
            "areas": ThematicArea.objects.filter(ern_id=found.panel.ern_id).order_by("name"),
            "suggestions": suggest_experts(found.panel),
        }
    if found.is_member:
        context["similar"] = similar_panels(found.panel)
    return render(request, "panels/panel_members.html", context)


def invited_message(request, result: Invitations) -> None:
    if result.invited:
        count = len(result.invited)
        messages.success(
            request,
            ngettext("%(count)d expert invited.", "%(count)d experts invited.", count) % {"count": count},
        )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(count)d was on the panel, invited or had answered already: not invited again.",
                "%(count)d were on the panel, invited or had answered already: not invited again.",
                result.already,
            )
            % {"count": result.already},
        )
    if not result.invited and not result.already:
        messages.info(request, _("Nobody to invite: no expert there yet."))


def form_refused(request, panel, form) -> HttpResponse:
    first = next(iter(form.errors.values()))[0]
    messages.error(request, first)
    return redirect(MEMBERS, panel.pk)


def invite_with(request, panel: int, form_class, invite, field: str) -> HttpResponse:
    """The three ways to invite: the lead only, a valid choice, then `invite(… field=choice)`."""
    found = find_panel_for_user(request, panel)
    if not found.is_lead:
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        return form_refused(request, found.panel, form)
    try:
        result = invite(acting_user=request.user, panel=found.panel, **{field: form.cleaned_data[field]})
    except PanelActionRefused as error:
        return refused(request, found.panel, error, MEMBERS)
    invited_message(request, result)
    return redirect(MEMBERS, found.panel.pk)


@cpms_user_required
@require_POST
def member_invite(request: HttpRequest, panel: int) -> HttpResponse:
    return invite_with(request, panel, InviteMemberForm, invite_one, "user")


def invite_one(*, acting_user, panel, user):
    return do_invite_member(acting_user=acting_user, panel=panel, user_id=user)


@cpms_user_required
@require_POST
def member_invite_group(request: HttpRequest, panel: int) -> HttpResponse:
    return invite_with(request, panel, InviteGroupForm, do_invite_expert_group, "group")


@cpms_user_required
@require_POST
def member_invite_area(request: HttpRequest, panel: int) -> HttpResponse:
    return invite_with(request, panel, InviteAreaForm, do_invite_area_followers, "area")


@cpms_user_required
@require_POST
def member_remove(request: HttpRequest, panel: int, membership: int) -> HttpResponse:
    found = find_panel_for_user(request, panel)
    if not found.is_lead:
        raise PermissionDenied
    try:
        removed = do_remove_member(acting_user=request.user, panel=found.panel, membership_id=membership)
    except PanelActionRefused as error:
        return refused(request, found.panel, error, MEMBERS)
    messages.success(
        request, _("%(name)s is no longer on the panel.") % {"name": removed.user.get_full_name()}
    )
    return redirect(MEMBERS, found.panel.pk)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def invitation_answer(request: HttpRequest, panel: int) -> HttpResponse:
    if request.method == "GET":
        found = get_panel_for_user(request, panel)
        form = InvitationAnswerForm(initial={"decision": InvitationAnswerForm.DECLINE})
    else:
        found = find_panel_for_user(request, panel)
        form = InvitationAnswerForm(request.POST)
    if not found.is_invited:
        raise PermissionDenied
    if request.method == "POST":
        if form.is_valid():
            return answer(request, found.panel, form)
        status = 400
    else:
        status = 200
    context = {"access": found, "panel": found.panel, "form": form}
    return render(request, "panels/invitation_answer.html", context, status=status)


def answer(request, panel, form) -> HttpResponse:
    try:
        if form.cleaned_data["decision"] == InvitationAnswerForm.ACCEPT:
            do_accept_invitation(acting_user=request.user, panel=panel)
            messages.success(request, _("You are a member of this panel."))
            return redirect("panels:panel-detail", panel.pk)
        do_decline_invitation(
            acting_user=request.user, panel=panel, reason=form.cleaned_data["reason"].strip()
        )
    except PanelActionRefused as error:
        return refused(request, panel, error, "panels:panel-detail")
    messages.success(request, _("You declined the invitation. The panel lead has been told."))
    return redirect("clinical:dashboard")
