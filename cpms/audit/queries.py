"""Reads of the trail that pages show: an object's own history.

The caller has already checked that the user may see the object (its query's 404 rule): the
history shows who did what to it, with the labels of the catalogue.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from .catalogue import Action, describe
from .models import AuditEvent
from .record import describe_target

HISTORY_LIMIT = 100


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: Action
    actor_id: int | None
    actor: object | None  # the user, or None: the system, or an account since deleted
    data: dict

    @property
    def label(self) -> str:
        return self.action.label


def history_of(target, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The newest `limit` events about `target`, oldest first. Two queries: events, their actors."""
    target_type, target_id = describe_target(target)
    events = list(
        AuditEvent.objects.filter(target_type=target_type, target_id=target_id)
        .only("created_at", "action", "actor_id", "data")
        .order_by("-id")[:limit]
    )
    actors = get_user_model().objects.in_bulk({event.actor_id for event in events if event.actor_id})
    return [
        HistoryEntry(
            event.created_at, describe(event.action), event.actor_id, actors.get(event.actor_id), event.data
        )
        for event in reversed(events)
    ]
