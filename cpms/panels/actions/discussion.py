"""Writes of a panel's discussion: a contribution, a request for more information, its answer, and
the member's read marker.

Each locks the panel, re-checks the author's place (PermissionDenied) and the panel's state (open
only: PanelActionRefused), writes the contribution and its encrypted attachments, records it, and
tells the others: a person mentioned hears MENTIONED (not also CONTRIBUTION), the requester asked
for information hears INFORMATION_REQUESTED, the asker INFORMATION_ANSWERED; everyone else in the
thread CONTRIBUTION. The first contribution starts the panel's clock (first_contribution_at).
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import record

from ..attachments import store_attachment
from ..formatting import mentioned_usernames
from ..models import Contribution, Membership, Notification, Panel, PanelStatus
from ..notifications import notify
from ..queries import PanelAccess
from ..queries.discussion import (
    list_thread_people,
    may_answer_information,
    may_contribute,
    may_request_information,
)
from . import PanelActionRefused, lock_panel, require_status, touch

Kind = Contribution.Kind


def do_add_contribution(
    *, acting_user, access: PanelAccess, text: str, uploads: Sequence = (), mention_ids: Iterable[int] = ()
) -> Contribution:
    if not may_contribute(access):
        raise PermissionDenied
    return _contribute(
        acting_user,
        access,
        Kind.CONTRIBUTION,
        text,
        uploads,
        mention_ids,
        audit_code="panels.contribution.added",
    )


def do_request_information(
    *, acting_user, access: PanelAccess, text: str, uploads: Sequence = (), mention_ids: Iterable[int] = ()
) -> Contribution:
    if not may_request_information(access):
        raise PermissionDenied
    return _contribute(
        acting_user,
        access,
        Kind.INFORMATION_REQUEST,
        text,
        uploads,
        mention_ids,
        audit_code="panels.information.requested",
    )


def do_answer_information_request(
    *,
    acting_user,
    access: PanelAccess,
    information_request: Contribution,
    text: str,
    uploads: Sequence = (),
    mention_ids: Iterable[int] = (),
) -> Contribution:
    if not may_answer_information(access):
        raise PermissionDenied
    return _contribute(
        acting_user,
        access,
        Kind.INFORMATION_ANSWER,
        text,
        uploads,
        mention_ids,
        audit_code="panels.information.answered",
        answers=information_request,
    )


def do_mark_discussion_read(*, acting_user, access: PanelAccess) -> None:
    """The member has seen the thread up to now: later contributions will be new to them."""
    if access.is_member:
        Membership.objects.filter(pk=access.membership.pk).update(last_read_at=timezone.now())


@transaction.atomic
def _contribute(
    acting_user, access, kind, text, uploads, mention_ids, *, audit_code, answers=None
) -> Contribution:
    panel = lock_panel(access.panel)
    require_status(panel, PanelStatus.OPEN)
    people = list_thread_people(panel)
    if not any(person.pk == acting_user.pk for person in people):
        raise PermissionDenied  # removed since the page was read
    if answers is not None and Contribution.objects.filter(answers=answers).exists():
        raise PanelActionRefused(_("This request for more information was already answered."))
    contribution = Contribution(panel=panel, author=acting_user, kind=kind, text=text, answers=answers)
    contribution.save()
    mentioned = resolve_mentions(people, acting_user, text, mention_ids)
    contribution.mentions.set(mentioned)
    with deleted_on_failure() as stored:
        for upload in uploads:
            stored.append(store_attachment(contribution=contribution, upload=upload).storage_name)
        start_clock(panel, contribution)
        record(
            acting_user,
            audit_code,
            panel,
            {
                "pseudonym": panel.patient.pseudonym,
                "contribution": contribution.pk,
                "attachments": len(uploads),
                "mentions": sorted(person.pk for person in mentioned),
                **({"answers": answers.pk} if answers is not None else {}),
            },
        )
        tell_the_thread(panel, contribution, people, mentioned, acting_user)
    return contribution


@contextmanager
def deleted_on_failure():
    """The storage names of files written in the block, deleted again if the block fails."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for storage_name in stored:
            default_storage.delete(storage_name)
        raise


def resolve_mentions(people: list, author, text: str, picked_ids: Iterable[int]) -> list:
    """The people of the thread named `@username` in the text or picked from the list; never the author."""
    usernames = mentioned_usernames(text)
    picked = set(picked_ids)
    return [
        person
        for person in people
        if person.pk != author.pk and (person.username.lower() in usernames or person.pk in picked)
    ]


def start_clock(panel: Panel, contribution: Contribution) -> None:
    if panel.first_contribution_at is None:
        panel.first_contribution_at = contribution.created_at
        touch(panel, "first_contribution_at")
    else:
        touch(panel)


def tell_the_thread(panel: Panel, contribution: Contribution, people: list, mentioned: list, author) -> None:
    """Each person in the thread but the author hears once, the most specific news first."""
    told: set[int] = {author.pk}
    in_thread = {p.pk for p in people}
    if contribution.kind == Kind.INFORMATION_REQUEST:
        told |= _tell(
            [panel.requester_id], Notification.Kind.INFORMATION_REQUESTED, panel, author, told, in_thread
        )
    elif contribution.kind == Kind.INFORMATION_ANSWER:
        asker = contribution.answers.author_id
        told |= _tell([asker], Notification.Kind.INFORMATION_ANSWERED, panel, author, told, in_thread)
    told |= _tell([p.pk for p in mentioned], Notification.Kind.MENTIONED, panel, author, told, in_thread)
    _tell(in_thread, Notification.Kind.CONTRIBUTION, panel, author, told, in_thread)


def _tell(user_ids: Iterable[int], kind: str, panel: Panel, author, already: set, in_thread: set) -> set[int]:
    recipients = (set(user_ids) & in_thread) - already
    if recipients:
        notify(recipients, kind, panel, actor=author)
    return recipients
