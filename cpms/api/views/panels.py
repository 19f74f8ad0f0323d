"""Panels: the requester's draft, the ERN's triage, the members' invitations, discussion and outcome."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cpms.panels.actions.discussion import do_add_contribution
from cpms.panels.actions.members import do_accept_invitation, do_decline_invitation
from cpms.panels.actions.outcome import do_answer_outcome
from cpms.panels.actions.requests import do_change_panel_request, do_submit_panel_request
from cpms.panels.forms.members import InvitationAnswerForm
from cpms.panels.forms.outcome import SignoffForm
from cpms.panels.models import PanelStatus, Urgency
from cpms.panels.queries import find_panel_for_user, get_panel_for_user
from cpms.panels.queries.discussion import may_contribute
from cpms.panels.queries.discussion import require_reader as require_thread_reader
from cpms.panels.queries.outcome import outcome_state, signer_memberships
from cpms.panels.queries.outcome import require_reader as require_outcome_reader
from cpms.panels.queries.requests import shared_case
from cpms.panels.views.requests import DECISIONS, decide, request_form, triage_forms

from .. import queries
from .. import serializers as s
from ..errors import Conflict
from ..etags import detail_response, require_if_match
from ..pagination import page_response, paginated
from .common import (
    CURSORS,
    ERRORS,
    IF_MATCH,
    IF_MATCH_OUTCOME,
    WRITE_ERRORS,
    choice,
    cursor,
    field_errors,
    problems,
)


def panel_data(found) -> dict:
    """The panel and what the caller is to it: the representation its ETag is the digest of."""
    return {**s.PanelSerializer(found.panel).data, "me": s.PlaceSerializer(found).data}


@extend_schema(
    tags=["panels"],
    operation_id="panels_list",
    summary="The panels you may read",
    parameters=[
        OpenApiParameter("status", str, enum=PanelStatus.values),
        OpenApiParameter("urgency", str, enum=Urgency.values),
        *CURSORS,
    ],
    responses={200: paginated(s.PanelSerializer), **ERRORS, **problems(400)},
)
@api_view(["GET"])
def panel_list(request):
    status = choice(request, "status", PanelStatus.values)
    urgency = choice(request, "urgency", Urgency.values)
    page = queries.list_panels(request, status=status, urgency=urgency, **cursor(request))
    return page_response(request, page, s.PanelSerializer(page.rows, many=True).data)


@extend_schema(
    methods=["GET"],
    tags=["panels"],
    summary="A panel",
    responses={200: s.PanelDetailSerializer, 304: None, **ERRORS},
)
@extend_schema(
    methods=["PATCH"],
    tags=["panels"],
    summary="Change a draft request (its requester)",
    parameters=[IF_MATCH],
    request=s.PanelChangeSerializer,
    responses={
        200: s.PanelDetailSerializer,
        **ERRORS,
        **problems(400, 409, 412, 415, 428),
    },
)
@api_view(["GET", "PATCH"])
def panel_detail(request, panel: int):
    if request.method == "GET":
        return detail_response(request, panel_data(get_panel_for_user(request, panel)))
    found = find_panel_for_user(request, panel)  # the change is the audited write
    if not found.is_requester:
        raise exceptions.PermissionDenied(_("Only the requester changes a draft."))
    require_if_match(request, panel_data(found))
    if found.panel.status != PanelStatus.DRAFT:
        raise Conflict(_("Only a draft can be changed."))
    changes = s.PanelChangeSerializer(data=request.data)
    changes.is_valid(raise_exception=True)
    form = request_form(s.request_form_data(found.panel, changes.validated_data))
    if not form.is_valid():
        raise field_errors(form)
    do_change_panel_request(acting_user=request.user, panel=found.panel, **form.values())
    return detail_response(request, panel_data(find_panel_for_user(request, panel)))


def panel_or_gone(request, panel: int) -> Response:
    """The panel after a write, or 204 when the caller no longer reads it (declined, forwarded away)."""
    try:
        found = find_panel_for_user(request, panel)
    except Http404:
        return Response(status=204)
    return detail_response(request, panel_data(found))


@extend_schema(
    tags=["panels"],
    summary="Submit a draft request to the ERN (its requester)",
    parameters=[IF_MATCH],
    request=None,
    responses={200: s.PanelDetailSerializer, **WRITE_ERRORS},
)
@api_view(["POST"])
def panel_submit(request, panel: int):
    found = find_panel_for_user(request, panel)  # the submission is the audited write
    if not found.is_requester:
        raise exceptions.PermissionDenied(_("Only the requester submits a draft."))
    require_if_match(request, panel_data(found))
    do_submit_panel_request(acting_user=request.user, panel=found.panel)
    return detail_response(request, panel_data(find_panel_for_user(request, panel)))


@extend_schema(
    tags=["panels"],
    summary="Answer your invitation to a panel: accept, or decline with a reason",
    parameters=[IF_MATCH],
    request=s.InvitationAnswerSerializer,
    responses={200: s.PanelDetailSerializer, 204: None, **WRITE_ERRORS, **problems(400, 415)},
)
@api_view(["POST"])
def invitation_answer(request, panel: int):
    found = find_panel_for_user(request, panel)
    if not found.is_invited:
        raise exceptions.PermissionDenied(_("You hold no invitation to this panel."))
    require_if_match(request, panel_data(found))
    given = s.InvitationAnswerSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    form = InvitationAnswerForm(given.validated_data)  # the page's rule: a decline says why
    if not form.is_valid():
        raise field_errors(form)
    if form.cleaned_data["decision"] == InvitationAnswerForm.ACCEPT:
        do_accept_invitation(acting_user=request.user, panel=found.panel)
        return detail_response(request, panel_data(find_panel_for_user(request, panel)))
    do_decline_invitation(
        acting_user=request.user, panel=found.panel, reason=form.cleaned_data["reason"].strip()
    )
    return Response(status=204)  # who declined no longer reads the panel


@extend_schema(
    tags=["panels"],
    summary="Triage a submitted request (the ERN's coordinators and dispatchers): accept, return, forward",
    description=(
        "`accept` opens the panel, led by the requester or by `lead`; `return` sends it back to the "
        "requester with the question in `text`; `forward` sends it to another thematic area (of `ern`, "
        "the panel's own by default) or ERN. 204 when you no longer read the panel after forwarding it."
    ),
    parameters=[IF_MATCH],
    request=s.TriageSerializer,
    responses={200: s.PanelDetailSerializer, 204: None, **WRITE_ERRORS, **problems(400, 415)},
)
@api_view(["POST"])
def panel_triage(request, panel: int):
    found = find_panel_for_user(request, panel)  # the decision is the audited write
    if not found.is_triager:
        raise exceptions.PermissionDenied(_("Only the ERN's coordinators and dispatchers triage requests."))
    require_if_match(request, panel_data(found))
    if found.panel.status != PanelStatus.SUBMITTED:
        raise Conflict(_("This request is not waiting for triage."))
    given = s.TriageSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    decision = given.validated_data["decision"]
    form = triage_forms(
        found.panel, s.triage_form_data(found.panel, decision, given.validated_data), decision
    )[DECISIONS[decision]]
    if not form.is_valid():  # the page's forms: a lead of the ERN, a question to return, an area of the ERN
        raise field_errors(form)
    decide(request, found.panel, decision, form)
    return panel_or_gone(request, panel)


@extend_schema(
    tags=["panels"],
    summary="The case as the panel shares it (pseudonymised)",
    responses={200: s.PanelCaseSerializer, 304: None, **ERRORS},
)
@api_view(["GET"])
def panel_case(request, panel: int):
    found = get_panel_for_user(request, panel)
    if not found.may_read_case:
        raise PermissionDenied
    sections = shared_case(found.panel) or []
    rows = [
        {
            "slug": x.slug,
            "title": str(x.title),
            "rows": [{"key": str(k), "value": str(v), "detail": str(d or "")} for k, v, d in x.rows],
        }
        for x in sections
    ]
    return detail_response(
        request, s.PanelCaseSerializer({"pseudonym": found.panel.patient.pseudonym, "sections": rows}).data
    )


@extend_schema(
    methods=["GET"],
    tags=["panels"],
    summary="The panel's discussion, newest first",
    parameters=CURSORS,
    responses={200: paginated(s.ContributionSerializer), **ERRORS},
)
@extend_schema(
    methods=["POST"],
    tags=["panels"],
    summary="Add a contribution (members and the requester, open panels)",
    request=s.ContributionAddSerializer,
    responses={201: s.ContributionSerializer, **ERRORS, **problems(400, 409, 415)},
)
@api_view(["GET", "POST"])
def contribution_list(request, panel: int):
    if request.method == "GET":
        found = get_panel_for_user(request, panel)
        require_thread_reader(found)
        page = queries.list_contributions(found.panel, **cursor(request))
        return page_response(request, page, s.ContributionSerializer(page.rows, many=True).data)
    found = find_panel_for_user(request, panel)
    if not may_contribute(found):
        raise PermissionDenied
    given = s.ContributionAddSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    contribution = do_add_contribution(
        acting_user=request.user, access=found, text=given.validated_data["text"]
    )
    data = s.ContributionSerializer(contribution).data
    return detail_response(request, data, status=201)


@extend_schema(
    tags=["panels"], summary="The panel's outcome", responses={200: s.OutcomeSerializer, 304: None, **ERRORS}
)
@api_view(["GET"])
def outcome_detail(request, panel: int):
    found = get_panel_for_user(request, panel)
    require_outcome_reader(found)
    return detail_response(request, outcome_data(found))


def outcome_data(found) -> dict:
    """The outcome as its reader sees it: the representation its ETag is the digest of."""
    state = outcome_state(found)
    data = {
        "panel": found.panel.pk,
        "current": state.current,
        "is_signed": state.is_signed,
        "under_signature": state.under_signature,
        "signers": state.signers,
    }
    return s.OutcomeSerializer(data).data


@extend_schema(
    tags=["panels"],
    summary="Answer the outcome under signature (the lead and the members who contributed): sign, or ask "
    "for changes",
    parameters=[IF_MATCH_OUTCOME],
    request=s.SignoffAnswerSerializer,
    responses={200: s.OutcomeSerializer, **WRITE_ERRORS, **problems(400, 415)},
)
@api_view(["POST"])
def outcome_signoff(request, panel: int):
    found = find_panel_for_user(request, panel)  # the answer is the audited write
    require_outcome_reader(found)
    if request.user.pk not in {m.user_id for m in signer_memberships(found.panel)}:
        raise exceptions.PermissionDenied(
            _("Only the panel lead and the members who contributed sign the outcome.")
        )
    require_if_match(request, outcome_data(found))
    given = s.SignoffAnswerSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    form = SignoffForm(given.validated_data)  # the page's rule: asking for changes says which
    if not form.is_valid():
        raise field_errors(form)
    do_answer_outcome(acting_user=request.user, panel=found.panel, **form.cleaned_data)
    return detail_response(request, outcome_data(find_panel_for_user(request, panel)))
