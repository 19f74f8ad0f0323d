"""Request access: the four steps of the seed, with their state on the server (cpms.access.wizard).

Every step loads the earlier choices again from the database; a missing or no longer valid one
sends the user back to its step with a message. Each step's form has Back (a link), Cancel
(forget everything, back to My requests) and Next.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import wizard
from ..actions.requests import do_submit_access_requests
from ..forms import ApplicationChoiceForm, OrganisationChoiceForm, ProfileChoiceForm, RequestCommentForm
from ..models import Application, OrganisationNode
from ..queries.requests import profile_statuses
from ..queries.scopes import access_for
from ..queries.tree import (
    PER_PAGE_CHOICES,
    as_id,
    get_institution,
    get_node,
    get_requestable_application_by_code,
    get_requestable_node,
    organisation_level,
    path_of,
)
from ..wizard import StepNeeded


def render_desk(request: HttpRequest, template: str, context: dict, *, section: str, status: int = 200):
    """A page of the access desk: the nav shows "Validation" to validators (asked only if needed)."""
    context = {"access_section": section, "is_validator": lambda: access_for(request).is_validator, **context}
    return render(request, template, context, status=status)


def render_step(request: HttpRequest, template: str, step: int, context: dict, status: int = 200):
    return render_desk(request, template, {"step": step, **context}, section="request", status=status)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_cancel(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "cancel"


def cancel(request: HttpRequest) -> HttpResponse:
    wizard.clear(request)
    messages.info(request, _("Your access request was cancelled: nothing was submitted."))
    return redirect("access:my-requests")


def go_back(request: HttpRequest, needed: StepNeeded) -> HttpResponse:
    messages.warning(request, needed.message)
    return redirect(needed.url_name)


def level_url(node: OrganisationNode | None, **params) -> str:
    query = {"node": node.pk} if node is not None else {}
    query.update({key: value for key, value in params.items() if value})
    url = reverse("access:request-organisation")
    return f"{url}?{urlencode(query)}" if query else url


@login_required
@require_http_methods(["GET", "POST"])
def request_application(request: HttpRequest) -> HttpResponse:
    """Step 1: select the application; "?application=cpms" starts with CPMS chosen."""
    if wants_cancel(request):
        return cancel(request)
    chosen = wizard.stored(request).get("application")
    code = request.GET.get("application")
    if request.method == "GET" and code is not None:
        application = get_requestable_application_by_code(code)
        if application is None:
            messages.error(
                request, _("This application is not open to access requests. Choose one in the list.")
            )
        else:
            wizard.choose_application(request, application)
            chosen = application.pk
    form = ApplicationChoiceForm(
        request.POST if request.method == "POST" else None, initial={"application": as_id(chosen)}
    )
    if request.method == "POST":
        if form.is_valid():
            wizard.choose_application(request, form.cleaned_data["application"])
            return redirect("access:request-organisation")
        return render_step(request, "access/request_application.html", 1, {"form": form}, status=400)
    return render_step(request, "access/request_application.html", 1, {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def request_organisation(request: HttpRequest) -> HttpResponse:
    """Step 2: walk the tree (ERNs → countries → institutions), search, page, select an institution."""
    if wants_cancel(request):
        return cancel(request)
    try:
        application = wizard.load(request, upto=wizard.APPLICATION).application
    except StepNeeded as needed:
        return go_back(request, needed)
    parent = None
    if request.GET.get("node"):
        parent = get_node(application, request.GET["node"])
        if parent is None:
            messages.error(
                request,
                _("This organisation is not in the tree of %(application)s: here are its ERNs.")
                % {"application": application.name},
            )
            return redirect("access:request-organisation")
        if parent.kind == OrganisationNode.Kind.INSTITUTION:
            messages.info(
                request, _("%(name)s is an institution: select it in the list.") % {"name": parent.label}
            )
            return redirect(level_url(parent.parent, q=parent.code))
    stored_organisation = wizard.stored(request).get("organisation")
    current = get_institution(application, stored_organisation) if stored_organisation else None
    form = None
    if request.method == "POST":
        form = OrganisationChoiceForm(request.POST, application=application, current=current)
        if form.is_valid():
            wizard.choose_organisation(request, form.cleaned_data["organisation"])
            return redirect("access:request-profile")
    per_page = as_id(request.GET.get("per_page"))
    level = organisation_level(
        request.user,
        application,
        parent,
        search=request.GET.get("q", ""),
        page=request.GET.get("page"),
        per_page=per_page,
    )
    context = {
        "application": application,
        "level": level,
        "form": form,
        "current": current,
        "per_page_choices": PER_PAGE_CHOICES,
        "page_range": level.page.paginator.get_elided_page_range(
            level.page.number, on_each_side=2, on_ends=1
        ),
        "up_url": level_url(parent.parent) if parent is not None else None,
        "level_urls": [(node, level_url(node)) for node in level.path],
        "ellipsis": Paginator.ELLIPSIS,
    }
    return render_step(
        request, "access/request_organisation.html", 2, context, status=400 if form is not None else 200
    )


@login_required
@require_GET
def request_organisation_details(request: HttpRequest, pk: int) -> HttpResponse:
    """Code, name, city, website and place in the tree of one node; a fragment for htmx."""
    node = get_requestable_node(pk)
    if node is None:
        raise Http404
    context = {"node": node, "path": path_of(node)}
    if is_htmx(request):
        return render(request, "access/request_organisation_details_panel.html", context)
    return render_desk(request, "access/request_organisation_details.html", context, section="request")


@login_required
@require_http_methods(["GET", "POST"])
def request_profile(request: HttpRequest) -> HttpResponse:
    """Step 3: one or several profiles; those already held or asked for here are shown, not offered."""
    if wants_cancel(request):
        return cancel(request)
    try:
        state = wizard.load(request, upto=wizard.ORGANISATION)
    except StepNeeded as needed:
        return go_back(request, needed)
    statuses = profile_statuses(request.user, state.organisation)
    stored_ids = wizard.stored(request).get("profiles")
    form = ProfileChoiceForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        application=state.application,
        organisation=state.organisation,
        statuses=statuses,
    )
    if request.method == "POST" and form.is_valid():
        wizard.choose_profiles(request, form.cleaned_data["profiles"])
        return redirect("access:request-recap")
    if request.method == "POST":
        checked = set(request.POST.getlist("profiles"))
    else:
        checked = {str(pk) for pk in stored_ids} if isinstance(stored_ids, list) else set()
    rows = [
        {"profile": profile, "status": statuses.get(profile.pk), "checked": str(profile.pk) in checked}
        for profile in form.fields["profiles"].queryset
    ]
    context = {
        "application": state.application,
        "organisation": state.organisation,
        "form": form,
        "rows": rows,
        "back_url": level_url(state.organisation.parent),
    }
    return render_step(
        request, "access/request_profile.html", 3, context, status=400 if form.is_bound else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_recap(request: HttpRequest) -> HttpResponse:
    """Step 4: the summary, a comment, "Submit request access"."""
    if wants_cancel(request):
        return cancel(request)
    try:
        state = wizard.load(request, upto=wizard.PROFILES)
    except StepNeeded as needed:
        return go_back(request, needed)
    form = RequestCommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_submit_access_requests(
                acting_user=request.user,
                application=state.application,
                organisation=state.organisation,
                profiles=state.profiles,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("access:request-profile")
        except IntegrityError:
            messages.error(
                request,
                _(
                    "One of these requests was already submitted, perhaps from another window: "
                    "nothing new was submitted. Check My requests."
                ),
            )
            return redirect("access:request-profile")
        wizard.finish(request, state.application)
        return redirect("access:request-thanks")
    context = {
        "application": state.application,
        "organisation": state.organisation,
        "profiles": state.profiles,
        "profile_names": ", ".join(profile.display_name for profile in state.profiles),
        "form": form,
    }
    return render_step(request, "access/request_recap.html", 4, context, status=400 if form.errors else 200)


@login_required
@require_GET
def request_thanks(request: HttpRequest) -> HttpResponse:
    """ "Thank you!" after a submission; without one, My requests."""
    application_id = wizard.submitted_application_id(request)
    application = Application.objects.filter(pk=application_id).first() if application_id else None
    if application is None:
        return redirect("access:my-requests")
    return render_desk(request, "access/request_thanks.html", {"application": application}, section="request")
