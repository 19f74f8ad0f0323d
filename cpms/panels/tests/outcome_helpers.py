"""Helpers of the outcome, close and archive tests: contributions written directly (the discussion is
another area's), versions drafted and submitted through the real actions."""

from django.urls import reverse

from ..actions.outcome import do_answer_outcome, do_save_outcome_draft, do_submit_outcome
from ..models import Contribution, Membership, Notification, OutcomeVersion, Panel, Signoff

FINDINGS = "Progressive cerebellar ataxia from age 30; the MRI shows cerebellar atrophy."
RECOMMENDATIONS = "Test the SCA repeat panel first (ATXN1, ATXN2, ATXN3, CACNA1A, ATXN7)."


def store_in(settings, tmp_path) -> None:
    """Stored letters go to a folder of the test's own (call it from an autouse fixture)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }


def contribute(panel: Panel, *authors, kind: str = Contribution.Kind.CONTRIBUTION) -> None:
    for author in authors:
        Contribution.objects.create(
            panel=panel, author=author, kind=kind, text=f"My opinion, {author.first_name}."
        )


def draft(panel: Panel, lead, **changes) -> OutcomeVersion:
    sections = {
        "findings": FINDINGS,
        "recommendations": RECOMMENDATIONS,
        "treatment_plan": "",
        "follow_up": "",
    }
    return do_save_outcome_draft(acting_user=lead, panel=panel, **{**sections, **changes})


def submitted(world, *contributors) -> OutcomeVersion:
    """The world's panel with these contributors and version 1 submitted for signature."""
    contribute(world.panel, *contributors)
    draft(world.panel, world.enrolling)
    return do_submit_outcome(acting_user=world.enrolling, panel=world.panel)


def sign(panel: Panel, *users) -> None:
    for user in users:
        do_answer_outcome(acting_user=user, panel=panel, decision=Signoff.Decision.SIGNED)


def signed(world) -> OutcomeVersion:
    """Expert and guest_member contributed; everyone signed version 1 (its letter made)."""
    version = submitted(world, world.expert, world.guest_member)
    sign(world.panel, world.expert, world.guest_member, world.enrolling)
    version.refresh_from_db()
    return version


def notified(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def url(name: str, panel: Panel) -> str:
    return reverse(f"panels:{name}", args=[panel.pk])


def remove(panel: Panel, user) -> None:
    Membership.objects.filter(panel=panel, user=user).update(status=Membership.Status.REMOVED)
