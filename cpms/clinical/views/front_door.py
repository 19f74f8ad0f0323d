"""The way into CPMS: public landing page, the gate's explanations, first use, ERN preferences, dashboard."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cpms.access.queries.grants import HP, RESEARCHER
from cpms.access.queries.scopes import access_for
from cpms.access.queries.validation import pending_request_count
from cpms.identity import signin_state
from cpms.identity.queries import methods_for
from cpms.identity.sessions import has_two_factors

from ..actions import do_save_preferences
from ..dashboard_sections import sections_for
from ..decorators import cpms_user_required
from ..forms import PreferencesForm
from ..queries import (
    APPLICATION,
    ErnSummary,
    access_history,
    chosen_area_ids,
    dashboard_erns,
    preference_choices,
)

ERN_INFORMATION_URL = "https://health.ec.europa.eu/rare-diseases-and-european-reference-networks_en"


def request_access_url(application: str) -> str:
    """Step 1 of the access-request wizard, with the application already chosen."""
    return reverse("access:request-application") + "?" + urlencode({"application": application})


def cpms_next(url: str | None) -> str:
    """Where to go after verifying: a CPMS page of this site, else the dashboard."""
    own_page = reverse("clinical:second-factor-required")
    if (
        url
        and url.startswith("/cpms/")
        and not url.startswith(own_page)
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    ):
        return url
    return reverse("clinical:dashboard")


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "clinical/landing.html",
        {
            "login_url": reverse("identity:login") + "?" + urlencode({"next": reverse("clinical:dashboard")}),
            "request_cpms_url": request_access_url("cpms"),
            "request_ecp_url": request_access_url("ecp"),
            "ern_information_url": ERN_INFORMATION_URL,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_required(request: HttpRequest) -> HttpResponse:
    next_url = cpms_next(request.POST.get("next") or request.GET.get("next"))
    if has_two_factors(request):
        return redirect(next_url)
    has_second_factor = len(methods_for(request.user.pk)) > 1
    if request.method == "POST" and has_second_factor:
        signin_state.begin(request.session, request.user.pk, next_url=next_url, second_factor=True)
        return redirect(reverse("identity:signin-method") + "?" + urlencode({"reverify": 1}))
    return render(
        request,
        "clinical/second_factor_required.html",
        {"has_second_factor": has_second_factor, "next": next_url},
    )


@login_required
@require_GET
def no_access(request: HttpRequest) -> HttpResponse:
    if access_for(request).has_grant(APPLICATION):
        return redirect("clinical:dashboard")
    return render(
        request,
        "clinical/no_access.html",
        {**access_history(request.user), "request_cpms_url": request_access_url("cpms")},
    )


def edit_preferences(request: HttpRequest, template: str, success: str, message: str) -> HttpResponse:
    profile = request.clinician_profile
    ern_choices = preference_choices(access_for(request))
    initial = PreferencesForm.initial_for(profile.job_title if profile else "", chosen_area_ids(request.user))
    form = PreferencesForm(request.POST or None, ern_choices=ern_choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_save_preferences(
                acting_user=request.user,
                job_title=form.cleaned_data["job_title"],
                areas_by_ern=form.areas_by_ern(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect(success)
    return render(request, template, {"form": form})


@cpms_user_required(profile_required=False)
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    """First use: job title and thematic areas in each ERN."""
    if request.clinician_profile and request.clinician_profile.is_complete:
        return redirect("clinical:dashboard")
    return edit_preferences(
        request, "clinical/welcome.html", "clinical:dashboard", _("Welcome to CPMS. Your profile is saved.")
    )


@cpms_user_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    return edit_preferences(
        request, "clinical/preferences.html", "clinical:preferences", _("Your ERN preferences are saved.")
    )


@dataclass
class NextStep:
    title: str
    text: str
    url: str = ""
    label: str = ""


def optional_url(name: str, **kwargs) -> str:
    """The URL of a feature, or "" while it does not exist yet: never a dead link."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def next_steps(erns: list[ErnSummary], requests_to_validate: int) -> list[NextStep]:
    """What each of the user's roles can do now, most urgent first; never empty."""
    steps = []
    if requests_to_validate:
        text = ngettext(
            "%(count)d access request waits for your validation.",
            "%(count)d access requests wait for your validation.",
            requests_to_validate,
        ) % {"count": requests_to_validate}
        steps.append(
            NextStep(_("Access requests"), text, reverse("access:validation-queue"), _("Review the requests"))
        )
    for summary in erns:
        for centre in summary.centres:
            codes = {profile.code for profile in centre.profiles}
            enrol_url = optional_url("patients:patient-enrol", centre=centre.organisation.pk)
            if HP in codes and not centre.organisation.is_guest and enrol_url:
                steps.append(
                    NextStep(centre.organisation.label, summary.ern.label, enrol_url, _("Enrol patient"))
                )
            if RESEARCHER in codes and (research_url := optional_url("research:research-home")):
                steps.append(NextStep(_("Research"), summary.ern.label, research_url, _("Open research")))
        if not summary.thematic_areas:
            steps.append(
                NextStep(
                    summary.ern.label,
                    _("Choose your thematic areas: panel leads invite experts by thematic area."),
                    reverse("clinical:preferences"),
                    _("Choose thematic areas"),
                )
            )
    steps.append(
        NextStep(
            _("Another centre or profile"),
            _("Ask for access at another centre, in another ERN, or for another profile."),
            request_access_url(APPLICATION),
            _("Request access"),
        )
    )
    return steps


@cpms_user_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    erns = dashboard_erns(access)
    requests_to_validate = pending_request_count(access)
    return render(
        request,
        "clinical/dashboard.html",
        {
            "profile": request.clinician_profile,
            "erns": erns,
            "next_steps": next_steps(erns, requests_to_validate),
            "requests_to_validate": requests_to_validate,
            # Added by the apps above clinical (panels: my panels and invitations).
            "sections": sections_for(request),
        },
    )
