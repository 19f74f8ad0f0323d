"""Requesting a panel (draft, change, discard, submit), the requests queue of coordinators and
dispatchers, the triage of one request (accept, return, forward), the requester's answer, and the
case as the panel shares it.

Not on the panel (or not an HP of the patient's centre) → 404, by the queries; on it in the wrong
role → 403; in the wrong state → back to the panel with the reason (views.refused).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.access.models import OrganisationNode
from cpms.access.queries.scopes import access_for
from cpms.clinical.decorators import cpms_user_required
from cpms.patients.forms.case import SECTIONS
from cpms.patients.queries import find_patient_for_user, get_patient_for_user, may_open_panel

from ..actions import PanelActionRefused
from ..actions.requests import (
    do_accept_panel_request,
    do_answer_panel_request,
    do_change_panel_request,
    do_discard_panel_request,
    do_forward_panel_request,
    do_request_panel,
    do_return_panel_request,
    do_submit_panel_request,
)
from ..forms.requests import (
    AcceptForm,
    AnswerForm,
    ForwardForm,
    PanelRequestForm,
    QueueFilterForm,
    ReturnForm,
)
from ..models import PanelStatus
from ..queries import find_panel_for_user, get_panel_for_user
from ..queries.requests import (
    lead_choices,
    list_erns,
    page_of_requests,
    require_triager,
    shared_case,
    thematic_areas_of,
    triage_thread,
)
from . import refused


def position(request: HttpRequest) -> dict:
    return {"after": request.GET.get("after", ""), "before": request.GET.get("before", "")}


def request_form(data=None, **kwargs) -> PanelRequestForm:
    erns = list_erns()
    return PanelRequestForm(data, erns=erns, areas=thematic_areas_of(erns), **kwargs)


def panel_for(request: HttpRequest, panel: int):
    """The panel, audited as a read on a page (GET), unaudited before an action that records itself."""
    return (
        get_panel_for_user(request, panel) if request.method == "GET" else find_panel_for_user(request, panel)
    )


# -- the requester


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_request(request: HttpRequest, pseudonym: str) -> HttpResponse:
    if request.method == "GET":
        patient = get_patient_for_user(request, pseudonym)
    else:
        patient = find_patient_for_user(request, pseudonym)
    context = {"patient": patient}
    if not may_open_panel(patient):
        status = 200 if request.method == "GET" else 409
        return render(request, "panels/panel_request.html", {**context, "no_consent": True}, status=status)
    # Every coded section by default; attachments only when the requester chooses to share them.
    shared = [slug for slug in SECTIONS if slug != "attachments"]
    initial = {"ern": str(patient.ern_id), "shared_sections": shared, "urgency": "routine"}
    form = request_form(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            panel = do_request_panel(acting_user=request.user, patient=patient, **form.values())
        except PanelActionRefused as error:
            messages.error(request, error.message)
            return redirect("patients:case-detail", pseudonym=patient.pseudonym)
        messages.success(request, _("Draft saved. Check it, then submit it to the ERN."))
        return redirect("panels:panel-detail", panel.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "panels/panel_request.html", {**context, "form": form}, status=status)


def require_requester(found) -> None:
    if not found.is_requester:
        raise PermissionDenied


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_edit(request: HttpRequest, panel: int) -> HttpResponse:
    found = panel_for(request, panel)
    require_requester(found)
    panel = found.panel
    if panel.status != PanelStatus.DRAFT:
        return refused(request, panel, PanelActionRefused(_("Only a draft can be changed.")))
    initial = {
        "ern": str(panel.ern_id),
        "thematic_area": str(panel.thematic_area_id or ""),
        "question": panel.question,
        "urgency": panel.urgency,
        "wished_answer_date": panel.wished_answer_date,
        "shared_sections": panel.shared_sections,
    }
    form = request_form(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_panel_request(acting_user=request.user, panel=panel, **form.values())
        except PanelActionRefused as error:
            return refused(request, panel, error)
        messages.success(request, _("Draft saved."))
        return redirect("panels:panel-detail", panel.pk)
    status = 400 if request.method == "POST" else 200
    context = {"panel": panel, "patient": panel.patient, "form": form}
    return render(request, "panels/panel_edit.html", context, status=status)


@cpms_user_required
@require_POST
def panel_discard(request: HttpRequest, panel: int) -> HttpResponse:
    found = find_panel_for_user(request, panel)
    require_requester(found)
    try:
        do_discard_panel_request(acting_user=request.user, panel=found.panel)
    except PanelActionRefused as error:
        return refused(request, found.panel, error)
    messages.success(request, _("The draft request was discarded."))
    return redirect("patients:case-detail", pseudonym=found.panel.patient.pseudonym)


@cpms_user_required
@require_POST
def panel_submit(request: HttpRequest, panel: int) -> HttpResponse:
    found = find_panel_for_user(request, panel)
    require_requester(found)
    try:
        submitted = do_submit_panel_request(acting_user=request.user, panel=found.panel)
    except PanelActionRefused as error:
        return refused(request, found.panel, error)
    messages.success(
        request,
        _("Request submitted: the coordinators and dispatchers of %(ern)s were told.")
        % {"ern": found.panel.ern.code},
    )
    return redirect("panels:panel-detail", submitted.pk)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_answer(request: HttpRequest, panel: int) -> HttpResponse:
    found = panel_for(request, panel)
    require_requester(found)
    panel = found.panel
    if panel.status != PanelStatus.RETURNED:
        return refused(
            request, panel, PanelActionRefused(_("Only a request returned to you can be answered."))
        )
    initial = {"question": panel.question, "shared_sections": panel.shared_sections}
    form = AnswerForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_answer_panel_request(acting_user=request.user, panel=panel, **form.values())
        except PanelActionRefused as error:
            return refused(request, panel, error)
        messages.success(request, _("Answer sent: the request is back in the ERN's queue."))
        return redirect("panels:panel-detail", panel.pk)
    context = {"panel": panel, "form": form, "thread": triage_thread(panel)}
    status = 400 if request.method == "POST" else 200
    return render(request, "panels/panel_answer.html", context, status=status)


# -- coordinators and dispatchers


@cpms_user_required
@require_GET
def request_queue(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    erns = list(OrganisationNode.objects.filter(pk__in=require_triager(access)).order_by("code"))
    form = QueueFilterForm(request.GET, erns=erns, areas=thematic_areas_of(erns))
    page = page_of_requests(access, **form.values(), **position(request))
    return render(request, "panels/request_queue.html", {"form": form, "page": page})


DECISIONS = {"accept": "accept_form", "return": "return_form", "forward": "forward_form"}


def triage_forms(panel, data=None, decision: str = "") -> dict:
    """The three decisions' forms; only the one posted (`decision`) is bound."""
    erns = list_erns()

    def posted(name: str):
        return data if name == decision else None

    where = {"ern": str(panel.ern_id), "thematic_area": str(panel.thematic_area_id or "")}
    leads = lead_choices(panel)
    return {
        "accept_form": AcceptForm(posted("accept"), leads=leads, requester=panel.requester, prefix="accept"),
        "return_form": ReturnForm(posted("return"), prefix="return"),
        "forward_form": ForwardForm(
            posted("forward"), erns=erns, areas=thematic_areas_of(erns), prefix="forward", initial=where
        ),
    }


def decide(request: HttpRequest, panel, decision: str, form):
    data = form.cleaned_data
    if decision == "accept":
        accepted = do_accept_panel_request(acting_user=request.user, panel=panel, lead=data["lead"])
        return _("Request accepted: the panel is open, led by %(name)s.") % {
            "name": accepted.lead.get_full_name()
        }
    if decision == "return":
        do_return_panel_request(acting_user=request.user, panel=panel, text=data["text"])
        return _("Request returned to the requester with your question.")
    forwarded = do_forward_panel_request(
        acting_user=request.user,
        panel=panel,
        ern=data["ern"],
        thematic_area=data["thematic_area"],
        text=data["text"],
    )
    area = forwarded.thematic_area.display_name if forwarded.thematic_area else forwarded.ern.code
    return _("Request forwarded to %(where)s.") % {"where": area}


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_triage(request: HttpRequest, panel: int) -> HttpResponse:
    found = panel_for(request, panel)
    if not found.is_triager:
        raise PermissionDenied
    panel = found.panel
    if panel.status != PanelStatus.SUBMITTED:
        return refused(request, panel, PanelActionRefused(_("This request is not waiting for triage.")))
    decision = request.POST.get("decision", "") if request.method == "POST" else ""
    forms = triage_forms(panel, request.POST, decision)
    form = forms.get(DECISIONS.get(decision, ""))
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            message = decide(request, panel, decision, form)
        except PanelActionRefused as error:
            return refused(request, panel, error)
        messages.success(request, message)
        return redirect("panels:request-queue")
    if request.method == "POST" and form is None:
        messages.error(request, _("Choose to accept, return or forward the request."))
    context = {"panel": panel, "access": found, "thread": triage_thread(panel), "decision": decision, **forms}
    status = 400 if request.method == "POST" else 200
    return render(request, "panels/panel_triage.html", context, status=status)


# -- the case, as the panel shares it


@cpms_user_required
@require_GET
def panel_case(request: HttpRequest, panel: int) -> HttpResponse:
    found = get_panel_for_user(request, panel)
    if not found.may_read_case:
        raise PermissionDenied
    context = {"panel": found.panel, "access": found, "sections": shared_case(found.panel)}
    return render(request, "panels/panel_case.html", context)
