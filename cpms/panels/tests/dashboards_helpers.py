"""Rows the dashboard tests need beyond factories.py: contributions, outcome versions, sign-offs."""

from django.utils import timezone

from ..models import Contribution, OutcomeVersion, Signoff


def contribute(
    panel, author, *, kind=Contribution.Kind.CONTRIBUTION, answers=None, text="An opinion."
) -> Contribution:
    return Contribution.objects.create(panel=panel, author=author, kind=kind, answers=answers, text=text)


def submit_outcome(panel, *, number: int = 1, author=None) -> OutcomeVersion:
    return OutcomeVersion.objects.create(
        panel=panel,
        number=number,
        author=author or panel.lead,
        findings="Findings.",
        recommendations="Recommendations.",
        submitted_at=timezone.now(),
    )


def sign(version, user, decision=Signoff.Decision.SIGNED) -> Signoff:
    return Signoff.objects.create(version=version, user=user, decision=decision)
