"""Server-side state of the "Request access" wizard.

request.session["access.wizard"] holds only ids: {"application": 1, "organisation": 42,
"profiles": [3, 4]}. Nothing in it is trusted: every step loads and checks each choice again
from the database (`load`), and sends the user back to the first step that is missing or no
longer valid, with a message saying why.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import AccessProfile, Application, OrganisationNode
from .queries.requests import request_problems
from .queries.tree import as_id, get_institution, get_requestable_application

SESSION_KEY = "access.wizard"
SUBMITTED_KEY = "access.wizard.submitted"

APPLICATION, ORGANISATION, PROFILES = 1, 2, 3
STEP_URLS = {
    APPLICATION: "access:request-application",
    ORGANISATION: "access:request-organisation",
    PROFILES: "access:request-profile",
}


class StepNeeded(Exception):
    """The wizard must go back to `step` (1, 2 or 3), telling the user `message`."""

    def __init__(self, step: int, message: str):
        super().__init__(message)
        self.step, self.message = step, message

    @property
    def url_name(self) -> str:
        return STEP_URLS[self.step]


@dataclass
class Wizard:
    application: Application | None = None
    organisation: OrganisationNode | None = None
    profiles: list[AccessProfile] = field(default_factory=list)


def stored(request) -> dict:
    state = request.session.get(SESSION_KEY)
    return state if isinstance(state, dict) else {}


def _save(request, state: dict) -> None:
    request.session[SESSION_KEY] = state


def choose_application(request, application: Application) -> None:
    """Step 1; choosing another application forgets the organisation and the profiles."""
    state = stored(request)
    if state.get("application") != application.pk:
        state = {"application": application.pk}
    _save(request, state)


def choose_organisation(request, organisation: OrganisationNode) -> None:
    """Step 2; choosing another organisation forgets the profiles."""
    state = stored(request)
    if state.get("organisation") != organisation.pk:
        state.pop("profiles", None)
    state["organisation"] = organisation.pk
    _save(request, state)


def choose_profiles(request, profiles: list[AccessProfile]) -> None:
    state = stored(request)
    state["profiles"] = [profile.pk for profile in profiles]
    _save(request, state)


def clear(request) -> None:
    request.session.pop(SESSION_KEY, None)


def finish(request, application: Application) -> None:
    """After submission: forget the choices, remember the application for the "Thank you!" page."""
    clear(request)
    request.session[SUBMITTED_KEY] = application.pk


def submitted_application_id(request) -> int | None:
    return as_id(request.session.get(SUBMITTED_KEY))


def load(request, *, upto: int) -> Wizard:
    """The choices of steps 1..`upto`, re-read and re-checked; StepNeeded names the step to redo."""
    state = stored(request)
    wizard = Wizard()
    wizard.application = get_requestable_application(state.get("application"))
    if wizard.application is None:
        message = (
            _("Choose an application first.")
            if state.get("application") is None
            else _("This application is no longer open to access requests. Choose another one.")
        )
        raise StepNeeded(APPLICATION, message)
    if upto < ORGANISATION:
        return wizard
    wizard.organisation = get_institution(wizard.application, state.get("organisation"))
    if wizard.organisation is None:
        message = (
            _("Choose an organisation first.")
            if state.get("organisation") is None
            else _("This organisation can no longer be chosen. Choose an institution in the list.")
        )
        raise StepNeeded(ORGANISATION, message)
    if upto < PROFILES:
        return wizard
    profile_ids = state.get("profiles")
    ids = [as_id(pk) for pk in profile_ids] if isinstance(profile_ids, list) else []
    if not ids or None in ids:
        raise StepNeeded(PROFILES, _("Choose at least one access profile first."))
    profiles = list(
        wizard.application.profiles.filter(pk__in=ids).select_related("requires").order_by("position", "name")
    )
    if len(profiles) != len(set(ids)):
        raise StepNeeded(PROFILES, _("One of the chosen profiles is no longer offered. Choose again."))
    problems = request_problems(request.user, wizard.application, wizard.organisation, profiles)
    if problems:
        raise StepNeeded(PROFILES, " ".join(problems))
    wizard.profiles = profiles
    return wizard
