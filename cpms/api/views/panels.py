"""The REST API: short function views over the pages' queries and actions.

Each view reads through the same query function as its page (which checks the grant, answers 404
for what is missing or not the caller's, and audits the read) and writes through the same `do_*`
action. Errors are problem details (errors.py); updates need `If-Match` (etags.py).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cpms.meetings.listing import ORGANISER
from cpms.meetings.queries import get_meeting_for_user
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
from cpms.patients.actions.consents import do_record_consent
from cpms.patients.actions.exchange import FHIR, PHENOPACKET, do_export_case
from cpms.patients.exchange.validation import ExportInvalid
from cpms.patients.forms.consents import ConsentForm
from cpms.patients.models import Patient
from cpms.patients.models.patient import ConsentStatus
from cpms.patients.queries import find_patient_for_user, get_patient_for_user
from cpms.patients.queries_case import case_with_rows, get_case_for_user

from . import case_changes, queries
from . import serializers as s
from .errors import PROBLEM, Conflict, Unprocessable
from .etags import detail_response, require_if_match
from .pagination import page_response, page_size, paginated


def problems(*codes: int) -> dict:
    """The error responses of a route, documented as problem details (RFC 9457)."""
    return {
        (code, PROBLEM): OpenApiResponse(s.ProblemSerializer, description="Problem details.")
        for code in codes
    }


ERRORS = problems(401, 403, 404, 429)
CURSORS = [
    OpenApiParameter("after", str, description="The cursor of `next`: the page after it."),
    OpenApiParameter("before", str, description="The cursor of `previous`: the page before it."),
    OpenApiParameter("size", int, description="Rows per page (1–100, 25 by default)."),
]
CONSENT_FILTERS = [
    OpenApiParameter(
        name, str, enum=ConsentStatus.values, description=f"Only patients with this {name} status."
    )
    for name in ("care_consent", "registries_consent", "research_contact_consent")
]
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the panel you read."
)
IF_MATCH_PATIENT = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the patient you read."
)
IF_MATCH_CASE = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the case you read."
)
IF_MATCH_OUTCOME = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the outcome you read."
)


class FhirJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"


def cursor(request) -> dict:
    params = request.query_params
    return {"after": params.get("after", ""), "before": params.get("before", ""), "size": page_size(request)}


def choice(request, name: str, values) -> str:
    value = request.query_params.get(name, "")
    if value and value not in values:
        raise exceptions.ValidationError(
            {name: [_("Not one of: %(values)s.") % {"values": ", ".join(values)}]}
        )
    return value


def field_errors(form) -> exceptions.ValidationError:
    """The page form's errors as the API's 400 (problem details with the fields' messages)."""
    return exceptions.ValidationError(
        {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    )


# -- patients (HPs of the enrolling centre)


@extend_schema(
    tags=["patients"],
    operation_id="patients_list",
    summary="Your centres' patients",
    parameters=[
        OpenApiParameter("centre", int, description="Only this one of your centres."),
        *CONSENT_FILTERS,
        *CURSORS,
    ],
    responses={200: paginated(s.PatientSerializer), **ERRORS, **problems(400)},
)
@api_view(["GET"])
def patient_list(request):
    centre = request.query_params.get("centre", "")
    if centre and not (centre.isdigit() and len(centre) < 19):
        raise exceptions.ValidationError({"centre": [_("A centre's id: a whole number.")]})
    consents = {name: choice(request, name, ConsentStatus.values) for name in queries.CONSENTS}
    page = queries.list_patients(
        request, centre_id=int(centre) if centre else None, consents=consents, **cursor(request)
    )
    return page_response(request, page, s.PatientSerializer(page.rows, many=True).data)


@extend_schema(
    tags=["patients"],
    summary="A patient, with the identity",
    responses={200: s.PatientDetailSerializer, 304: None, **ERRORS},
)
@api_view(["GET"])
def patient_detail(request, pseudonym: str):
    patient = get_patient_for_user(request, pseudonym)
    return detail_response(request, s.PatientDetailSerializer(patient).data)


@extend_schema(
    tags=["patients"],
    summary="Record a consent of the patient (HPs of the enrolling centre): given, refused or withdrawn",
    description="In force at once: a withdrawn consent for care stops new requests for assistance.",
    parameters=[IF_MATCH_PATIENT],
    request=s.ConsentRecordSerializer,
    responses={200: s.PatientDetailSerializer, **ERRORS, **problems(400, 412, 415, 428)},
)
@api_view(["POST"])
def consent_record(request, pseudonym: str):
    patient = find_patient_for_user(request, pseudonym)  # the recording is the audited write
    require_if_match(request, s.PatientDetailSerializer(patient).data)
    given = s.ConsentRecordSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    form = ConsentForm({name: str(value) for name, value in given.validated_data.items()})
    if not form.is_valid():  # the page's rules: a date not in the future
        raise field_errors(form)
    try:
        do_record_consent(acting_user=request.user, patient=patient, **form.cleaned_data)
    except (PermissionDenied, Patient.DoesNotExist):
        raise Http404 from None  # as the page: no longer an HP there, or the patient removed meanwhile
    return detail_response(request, s.PatientDetailSerializer(find_patient_for_user(request, pseudonym)).data)


def case_data(case) -> dict:
    """The case as it is read: the representation its ETag is the digest of."""
    return s.CaseSerializer(s.case_rows(case)).data


@extend_schema(
    methods=["GET"],
    tags=["patients"],
    summary="A patient's case",
    responses={200: s.CaseSerializer, 304: None, **ERRORS},
)
@extend_schema(
    methods=["PATCH"],
    tags=["patients"],
    summary="Change the case (HPs of the enrolling centre): the fields sent, checked as its pages check them",
    description=(
        "Send only the fields to change. A list of rows (`diagnoses`, `phenotypes`, `variants`) replaces "
        "that section's rows; codes must be in the loaded ORPHA, ICD-10 and HPO releases. Every section "
        "is checked before any is saved: a 400 names each field (`diagnoses.0.code` for a row) and "
        "changes nothing."
    ),
    parameters=[IF_MATCH_CASE],
    request=s.CaseChangeSerializer,
    responses={200: s.CaseSerializer, **ERRORS, **problems(400, 412, 415, 428)},
)
@api_view(["GET", "PATCH"])
def case_detail(request, pseudonym: str):
    if request.method == "GET":
        return detail_response(request, case_data(get_case_for_user(request, pseudonym)))
    patient = find_patient_for_user(request, pseudonym)  # each section saved is the audited write
    case = case_with_rows(patient)
    require_if_match(request, case_data(case))
    changes = s.CaseChangeSerializer(data=request.data)
    changes.is_valid(raise_exception=True)
    bound = case_changes.bind(case, changes.validated_data)
    if errors := case_changes.errors_of(bound):
        raise exceptions.ValidationError(errors)
    case_changes.save(request.user, patient, bound)
    return detail_response(request, case_data(case_with_rows(patient)))


def export(request, pseudonym: str, export_format: str) -> HttpResponse:
    patient = find_patient_for_user(request, pseudonym)  # the export is the audited read
    try:
        found = do_export_case(acting_user=request.user, patient=patient, export_format=export_format)
    except ExportInvalid as invalid:
        raise Unprocessable(
            _("The case cannot be exported as it is: see `errors`."), errors=invalid.problems
        ) from None
    response = HttpResponse(found.text, content_type=f"{found.content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    tags=["patients"],
    summary="A patient's case as a GA4GH Phenopacket (v2)",
    responses={(200, "application/json"): OpenApiTypes.OBJECT, **ERRORS, **problems(422)},
)
@api_view(["GET"])
def case_phenopacket(request, pseudonym: str):
    return export(request, pseudonym, PHENOPACKET)


@extend_schema(
    tags=["patients"],
    summary="A patient's case as a FHIR R4 Bundle",
    responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT, **ERRORS, **problems(422)},
)
@api_view(["GET"])
@renderer_classes([JSONRenderer, FhirJSONRenderer])
def case_fhir(request, pseudonym: str):
    return export(request, pseudonym, FHIR)


# -- panels (the requester, the members, the ERN's triage)


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


WRITE_ERRORS = {**ERRORS, **problems(409, 412, 428)}


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


# -- meetings (organised, or invited with the invitation in force)


@extend_schema(
    tags=["meetings"],
    operation_id="meetings_list",
    summary="Your meetings, newest first",
    parameters=CURSORS,
    responses={200: paginated(s.MeetingSerializer), **ERRORS},
)
@api_view(["GET"])
def meeting_list(request):
    page = queries.list_meetings(request, **cursor(request))
    return page_response(request, page, s.MeetingSerializer(page.rows, many=True).data)


@extend_schema(
    tags=["meetings"], summary="A meeting", responses={200: s.MeetingSerializer, 304: None, **ERRORS}
)
@api_view(["GET"])
def meeting_detail(request, meeting: int):
    found = get_meeting_for_user(request, meeting)
    found.meeting.my_response = (
        ORGANISER if found.is_organiser else getattr(found.invitation, "response", None)
    )
    return detail_response(request, s.MeetingSerializer(found.meeting).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request, path: str):
    """Any other path under /api/ (an unknown route, `/panels/-1/`): a problem document like every other
    API error, not the site's HTML page; after the same gate, so an anonymous caller still gets 401."""
    raise exceptions.NotFound()
