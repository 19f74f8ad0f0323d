"""The discussion of a panel: the thread, a contribution, a request for more information and its
answer, and the download of an attachment. Who may do what: cpms/panels/queries/discussion.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cpms.clinical.decorators import cpms_user_required

from ..actions import PanelActionRefused, require_status
from ..actions.discussion import (
    do_add_contribution,
    do_answer_information_request,
    do_mark_discussion_read,
    do_request_information,
)
from ..attachments import download_name
from ..forms.discussion import ATTACHMENT_MAX_BYTES, AnswerForm, ContributionForm
from ..models import Contribution, PanelStatus
from ..queries import PanelAccess, find_panel_for_user, get_panel_for_user
from ..queries.discussion import (
    get_open_information_request,
    list_thread_people,
    may_answer_information,
    may_contribute,
    may_request_information,
    read_attachment_for_user,
    read_thread,
    record_read,
    require_reader,
)
from . import refused

DISCUSSION = "panels:panel-discussion"


@cpms_user_required
@require_GET
def panel_discussion(request: HttpRequest, panel: int) -> HttpResponse:
    access = get_panel_for_user(request, panel)
    require_reader(access)
    return discussion_page(request, access)


@cpms_user_required
@require_POST
def contribution_add(request: HttpRequest, panel: int) -> HttpResponse:
    return contribute(request, panel, may_contribute, do_add_contribution, _("Your contribution is added."))


@cpms_user_required
@require_POST
def information_request(request: HttpRequest, panel: int) -> HttpResponse:
    return contribute(
        request,
        panel,
        may_request_information,
        do_request_information,
        _("Your request for more information is sent to the requester."),
    )


@cpms_user_required
@require_POST
def information_answer(request: HttpRequest, panel: int, contribution: int) -> HttpResponse:
    access = find_panel_for_user(request, panel)
    if not may_answer_information(access):
        raise PermissionDenied
    asked = get_open_information_request(access, contribution)
    try:
        require_status(access.panel, PanelStatus.OPEN)
    except PanelActionRefused as error:
        return refused(request, access.panel, error, to=DISCUSSION)
    form = AnswerForm(request.POST, request.FILES, prefix=f"answer-{asked.pk}", people=others(access))
    if not form.is_valid():
        return discussion_page(request, access, answer_form=(asked.pk, form), status=400)
    try:
        answer = do_answer_information_request(
            acting_user=request.user,
            access=access,
            information_request=asked,
            text=form.cleaned_data["text"],
            uploads=form.cleaned_data["files"],
            mention_ids=form.mentioned_ids(),
        )
    except PanelActionRefused as error:
        return refused(request, access.panel, error, to=DISCUSSION)
    messages.success(request, _("Your answer is added to the discussion."))
    return to_contribution(answer)


@cpms_user_required
@require_GET
def contribution_attachment(request: HttpRequest, panel: int, attachment: int) -> HttpResponse:
    found, data, the_panel = read_attachment_for_user(request, panel, attachment)
    response = HttpResponse(data, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, download_name(found, the_panel.reference)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def contribute(request, panel_id: int, allowed, action, done: str) -> HttpResponse:
    access = find_panel_for_user(request, panel_id)
    if not allowed(access):
        raise PermissionDenied
    try:
        require_status(access.panel, PanelStatus.OPEN)
    except PanelActionRefused as error:
        return refused(request, access.panel, error, to=DISCUSSION)
    form = ContributionForm(request.POST, request.FILES, people=others(access))
    if not form.is_valid():
        return discussion_page(request, access, form=form, status=400)
    try:
        contribution = action(
            acting_user=request.user,
            access=access,
            text=form.cleaned_data["text"],
            uploads=form.cleaned_data["files"],
            mention_ids=form.mentioned_ids(),
        )
    except PanelActionRefused as error:
        return refused(request, access.panel, error, to=DISCUSSION)
    messages.success(request, done)
    return to_contribution(contribution)


def to_contribution(contribution: Contribution) -> HttpResponse:
    return redirect(f"{reverse(DISCUSSION, args=[contribution.panel_id])}#contribution-{contribution.pk}")


def others(access: PanelAccess) -> list:
    return [person for person in list_thread_people(access.panel) if person.pk != access.user_id]


def discussion_page(request, access: PanelAccess, *, form=None, answer_form=None, status=200) -> HttpResponse:
    """The thread and the forms this person may use; a refused POST shows it again with its errors."""
    if request.method == "POST":
        record_read(request, access)
    thread = read_thread(access, before=request.GET.get("before", ""))
    is_open = access.panel.status == PanelStatus.OPEN
    people = others(access)
    if is_open and may_answer_information(access):
        for contribution in thread.contributions:
            if contribution.kind == Contribution.Kind.INFORMATION_REQUEST and not contribution.is_answered:
                prefix = f"answer-{contribution.pk}"
                bound = answer_form[1] if answer_form and answer_form[0] == contribution.pk else None
                contribution.answer_form = bound or AnswerForm(prefix=prefix, people=people)
    if request.method == "GET" and thread.is_latest:
        do_mark_discussion_read(acting_user=request.user, access=access)
    context = {
        "access": access,
        "panel": access.panel,
        "thread": thread,
        "is_open": is_open,
        "form": (form or ContributionForm(people=people)) if is_open and may_contribute(access) else None,
        "may_request_information": is_open and may_request_information(access),
        "max_bytes": ATTACHMENT_MAX_BYTES,
    }
    return render(request, "panels/panel_discussion.html", context, status=status)
