"""The daily reminders that keep panels moving (run by the beat task `panels.send_reminders`).

- Before the wished answer date (PANELS_REMINDER_DAYS_BEFORE days ahead, or once it has passed):
  the lead and the silent members (accepted, no contribution yet) of an open panel, once per panel
  (Panel.wished_date_reminded_at).
- Before a close that would fail the two-contribution rule: the lead of an open panel whose wished
  date is as near (or passed) and that has fewer than two distinct members who contributed, once
  per panel (Panel.close_rule_reminded_at).

Each panel is claimed by a conditional UPDATE of its marker before it is notified, so two sweeps
running at once never remind twice. Urgent panels' reminders are e-mailed at once (notify flags them).
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Contribution, Membership, Notification, Panel, PanelStatus
from .notifications import notify

# The contributions that count for the two-contribution rule and make a member no longer silent.
COUNTED = (Contribution.Kind.CONTRIBUTION,)
MINIMUM_CONTRIBUTORS = 2


def due_panels(marker: str, *, days_before: int, today=None) -> QuerySet:
    """Open panels wished by `today + days_before` or earlier whose `marker` reminder was not sent."""
    today = today or timezone.localdate()
    return (
        Panel.objects.unscoped()
        .filter(status=PanelStatus.OPEN, wished_answer_date__lte=today + timedelta(days=days_before))
        .filter(**{marker: None})
        .order_by("wished_answer_date", "id")
    )


def members_of(panel_ids) -> dict[int, set[int]]:
    """The accepted members (the lead among them) of each panel: one query."""
    members = defaultdict(set)
    rows = Membership.objects.filter(panel_id__in=panel_ids, status=Membership.Status.ACCEPTED)
    for panel_id, user_id in rows.values_list("panel_id", "user_id"):
        members[panel_id].add(user_id)
    return members


def contributors_of(panel_ids) -> dict[int, set[int]]:
    """Who wrote a counted contribution on each panel: one query."""
    authors = defaultdict(set)
    rows = Contribution.objects.filter(panel_id__in=panel_ids, kind__in=COUNTED)
    for panel_id, author_id in rows.values_list("panel_id", "author_id").distinct():
        authors[panel_id].add(author_id)
    return authors


def claim(panel: Panel, marker: str) -> bool:
    """Set the panel's reminder marker unless another sweep did; True when this one may remind."""
    return bool(
        Panel.objects.unscoped().filter(pk=panel.pk, **{marker: None}).update(**{marker: timezone.now()})
    )


def remind_wished_date(*, days_before: int, today=None) -> int:
    """Remind the lead and the silent members of each due panel; how many panels were reminded."""
    panels = list(due_panels("wished_date_reminded_at", days_before=days_before, today=today))
    ids = [panel.pk for panel in panels]
    members, contributors = members_of(ids), contributors_of(ids)
    reminded = 0
    for panel in panels:
        silent = members[panel.pk] - contributors[panel.pk]
        recipients = silent | ({panel.lead_id} if panel.lead_id else set())
        with transaction.atomic():
            if claim(panel, "wished_date_reminded_at"):
                notify(recipients, Notification.Kind.REMINDER_WISHED_DATE, panel)
                reminded += 1
    return reminded


def remind_close_rule(*, days_before: int, today=None) -> int:
    """Remind the lead of each due panel with fewer than two members who contributed."""
    panels = [
        p for p in due_panels("close_rule_reminded_at", days_before=days_before, today=today) if p.lead_id
    ]
    ids = [panel.pk for panel in panels]
    members, contributors = members_of(ids), contributors_of(ids)
    reminded = 0
    for panel in panels:
        if len(contributors[panel.pk] & members[panel.pk]) >= MINIMUM_CONTRIBUTORS:
            continue
        with transaction.atomic():
            if claim(panel, "close_rule_reminded_at"):
                notify([panel.lead_id], Notification.Kind.REMINDER_CLOSE_RULE, panel)
                reminded += 1
    return reminded
