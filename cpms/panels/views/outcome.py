"""The outcome tab (draft in versions, submit, sign or ask for changes, the letter), and the end of a
panel: close, send to the research store, archive."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.audit.record import record
from cpms.clinical.decorators import cpms_user_required

from ..actions import PanelActionRefused
from ..actions.outcome import (
    audit_data,
    do_answer_outcome,
    do_archive_panel,
    do_close_panel,
    do_save_outcome_draft,
    do_send_panel_to_research,
    do_submit_outcome,
)
from ..forms.outcome import OutcomeDraftForm, SignoffForm
from ..letters import read_letter
from ..models import PanelStatus
from ..queries import PanelAccess, find_panel_for_user
from ..queries.outcome import (
    close_check,
    compare_versions,
    find_version,
    may_send_to_research,
    outcome_state,
    require_archiver,
    require_lead,
    require_letter_reader,
    require_reader,
    signed_version,
)
from . import refused

OUTCOME = "panels:panel-outcome"


def panel_for(request: HttpRequest, panel: int, check) -> PanelAccess:
    """The panel if `check` lets the user in (404 off the panel, 403 for the wrong role); a page read is
    audited once the check has passed, a POST leaves the recording to its action."""
    found = find_panel_for_user(request, panel)
    check(found)
    if request.method != "POST":
        data = {"pseudonym": found.panel.patient.pseudonym, "what": request.resolver_match.view_name}
        record(request.user, "panels.panel.viewed", found.panel, data)
    return found


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_outcome(request: HttpRequest, panel: int) -> HttpResponse:
    found = panel_for(request, panel, require_reader)
    state = outcome_state(found)
    form = OutcomeDraftForm(request.POST or None, instance=None, initial=_initial(state.current))
    if request.method == "POST":
        require_lead(found)
        if form.is_valid():
            try:
                version = do_save_outcome_draft(
                    acting_user=request.user, panel=found.panel, **form.cleaned_data
                )
            except PanelActionRefused as error:
                return refused(request, found.panel, error, OUTCOME)
            messages.success(
                request, _("Version %(number)d of the outcome saved.") % {"number": version.number}
            )
            return redirect(OUTCOME, found.panel.pk)
    context = {
        "access": found,
        "panel": found.panel,
        "state": state,
        "is_open": found.panel.status == PanelStatus.OPEN,
        "form": form,
        "signoff_form": SignoffForm(),
        "letter": signed_version(found.panel) if state.is_signed else None,
    }
    return render(request, "panels/panel_outcome.html", context)


def _initial(version) -> dict:
    if version is None:
        return {}
    return {name: getattr(version, name) for name in OutcomeDraftForm.Meta.fields}


@cpms_user_required
@require_GET
def outcome_compare(request: HttpRequest, panel: int) -> HttpResponse:
    """What changed between two versions: ?from=1&to=2."""
    found = panel_for(request, panel, require_reader)
    old = find_version(found.panel, request.GET.get("from"))
    new = find_version(found.panel, request.GET.get("to"))
    context = {
        "access": found,
        "panel": found.panel,
        "old": old,
        "new": new,
        "changes": compare_versions(old, new),
    }
    return render(request, "panels/outcome_compare.html", context)


@cpms_user_required
@require_POST
def outcome_submit(request: HttpRequest, panel: int) -> HttpResponse:
    found = find_panel_for_user(request, panel)
    require_lead(found)
    try:
        version = do_submit_outcome(acting_user=request.user, panel=found.panel)
    except PanelActionRefused as error:
        return refused(request, found.panel, error, OUTCOME)
    messages.success(
        request, _("Version %(number)d was sent to the members for signature.") % {"number": version.number}
    )
    return redirect(OUTCOME, found.panel.pk)


@cpms_user_required
@require_POST
def outcome_signoff(request: HttpRequest, panel: int) -> HttpResponse:
    found = find_panel_for_user(request, panel)
    require_reader(found)
    form = SignoffForm(request.POST)
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        return refused(request, found.panel, PanelActionRefused(" ".join(errors)), OUTCOME)
    try:
        signoff = do_answer_outcome(acting_user=request.user, panel=found.panel, **form.cleaned_data)
    except PanelActionRefused as error:
        return refused(request, found.panel, error, OUTCOME)
    if signoff.decision == signoff.Decision.SIGNED:
        messages.success(request, _("You signed the outcome."))
    else:
        messages.success(request, _("Your request for changes was sent to the panel lead."))
    return redirect(OUTCOME, found.panel.pk)


@cpms_user_required
@require_GET
def outcome_letter(request: HttpRequest, panel: int) -> HttpResponse:
    found = find_panel_for_user(request, panel)
    require_letter_reader(found)
    version = signed_version(found.panel)
    if version is None or not version.letter_storage_name:
        raise Http404
    data = audit_data(found.panel, version=version.number)
    record(request.user, "panels.outcome.letter_downloaded", found.panel, data)
    response = HttpResponse(read_letter(version), content_type="application/pdf")
    filename = f"{found.panel.reference}-{found.panel.patient.pseudonym}-outcome-v{version.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_close(request: HttpRequest, panel: int) -> HttpResponse:
    found = panel_for(request, panel, require_lead)
    if request.method == "POST":
        try:
            do_close_panel(acting_user=request.user, panel=found.panel)
        except PanelActionRefused as error:
            return refused(request, found.panel, error, "panels:panel-close")
        messages.success(request, _("The panel is closed."))
        return redirect("panels:panel-close", found.panel.pk)
    context = {
        "access": found,
        "panel": found.panel,
        "check": close_check(found.panel),
        "may_send_to_research": may_send_to_research(found.panel),
    }
    return render(request, "panels/panel_close.html", context)


@cpms_user_required
@require_POST
def panel_send_to_research(request: HttpRequest, panel: int) -> HttpResponse:
    found = find_panel_for_user(request, panel)
    require_lead(found)
    try:
        do_send_panel_to_research(acting_user=request.user, panel=found.panel)
    except PanelActionRefused as error:
        return refused(request, found.panel, error, "panels:panel-close")
    messages.success(request, _("The anonymised case was sent to the research store."))
    return redirect("panels:panel-close", found.panel.pk)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_archive(request: HttpRequest, panel: int) -> HttpResponse:
    found = panel_for(request, panel, lambda found: require_archiver(request, found))
    if request.method == "POST":
        try:
            do_archive_panel(acting_user=request.user, panel=found.panel)
        except PanelActionRefused as error:
            return refused(request, found.panel, error, "panels:panel-archive")
        messages.success(request, _("The panel is archived."))
        return redirect("panels:panel-archive", found.panel.pk)
    return render(request, "panels/panel_archive.html", {"access": found, "panel": found.panel})
