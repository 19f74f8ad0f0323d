"""The discussion of a panel: its thread, read by window, and who may do what in it.

Who reads it: whoever may read the case (members, the requester, the ERN's triage: PanelAccess).
Who writes: accepted members (the lead is one) and the requester; members other than the requester
ask the requester for more information, and the requester answers. Anyone else on the panel (an
invitee, a coordinator who is no member) gets 403; off the panel, 404 (find_panel_for_user).

A thread is shown oldest first, the latest PAGE_SIZE contributions at a time, with a link to the
ones before: found by position `(created_at, id)` on the `panels_thread` index, so a long thread
costs what a short one does. Its queries are a fixed few whatever its length.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from cpms.access.models import Grant, OrganisationNode
from cpms.access.queries.grants import HP
from cpms.access.queries.pages import cursor_of, parse_cursor
from cpms.audit.record import record

from ..attachments import read_attachment
from ..formatting import render
from ..models import Contribution, ContributionAttachment, Membership, Panel
from . import APPLICATION, PanelAccess, find_panel_for_user

PAGE_SIZE = 30
DOWNLOADED = "panels.attachment.downloaded"
User = get_user_model()


def may_contribute(access: PanelAccess) -> bool:
    return access.is_member or access.is_requester


def may_request_information(access: PanelAccess) -> bool:
    """Members ask the requester; a requester who leads the panel does not ask themselves."""
    return access.is_member and not access.is_requester


def may_answer_information(access: PanelAccess) -> bool:
    return access.is_requester


def require_reader(access: PanelAccess) -> None:
    if not access.may_read_case:
        raise PermissionDenied


def list_thread_people(panel: Panel) -> list:
    """Who takes part in the thread: the accepted members and the requester, by name. One query."""
    members = Membership.objects.filter(panel=panel, status=Membership.Status.ACCEPTED).values("user_id")
    people = User.objects.filter(Q(pk__in=members) | Q(pk=panel.requester_id))
    return list(people.order_by("last_name", "first_name", "pk"))


def centre_labels(user_ids) -> dict[int, str]:
    """The centre each person is an HP at (their first one, by code), for the thread. One query."""
    grants = (
        Grant.objects.active()
        .filter(user_id__in=set(user_ids), application__code=APPLICATION, profile__code=HP)
        .filter(organisation__kind=OrganisationNode.Kind.INSTITUTION)
        .select_related("organisation")
        .order_by("organisation__code")
    )
    labels: dict[int, str] = {}
    for grant in grants:
        labels.setdefault(grant.user_id, grant.organisation.label)
    return labels


@dataclass
class Thread:
    contributions: list = field(default_factory=list)
    earlier_cursor: str = ""  # the link to the contributions before these, if any
    is_latest: bool = True  # the window ends with the newest contribution
    new_count: int = 0
    first_new_id: int | None = None

    @property
    def first_new_anchor(self) -> str:
        return f"#contribution-{self.first_new_id}" if self.first_new_id else ""


def thread_queryset(panel: Panel):
    answered = Contribution.objects.filter(answers=OuterRef("pk"))
    return (
        Contribution.objects.filter(panel=panel)
        .select_related("author", "answers__author")
        .annotate(is_answered=Exists(answered))
        .prefetch_related(
            Prefetch("attachments", queryset=ContributionAttachment.objects.order_by("pk")),
            Prefetch("mentions", queryset=User.objects.order_by("last_name", "first_name")),
        )
    )


def read_thread(access: PanelAccess, *, before: str = "", size: int = PAGE_SIZE) -> Thread:
    """The window of the thread ending before `before` (a cursor; anything else: the latest). 4 queries."""
    queryset = thread_queryset(access.panel)
    position = parse_cursor(before)
    if position is not None:
        created_at, pk = position
        queryset = queryset.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    found = list(queryset.order_by("-created_at", "-id")[: size + 1])
    window = found[:size][::-1]
    thread = Thread(
        contributions=window,
        earlier_cursor=cursor_of(window[0]) if len(found) > size else "",
        is_latest=position is None,
    )
    mark_new(thread, access)
    labels = centre_labels({c.author_id for c in window})
    for contribution in window:
        contribution.centre_label = labels.get(contribution.author_id, "")
        mentioned = list(contribution.mentions.all())
        people = {person.username.lower(): (person.pk, person.get_full_name()) for person in mentioned}
        contribution.html = render(contribution.text, people=people)
        contribution.mentioned = mentioned
    return thread


def record_read(request, access: PanelAccess) -> None:
    """A page that shows the thread after a refused POST is a read of the panel, recorded as one."""
    match = getattr(request, "resolver_match", None)
    data = {"pseudonym": access.panel.patient.pseudonym, "what": match.view_name if match else ""}
    record(request.user, "panels.panel.viewed", access.panel, data)


def mark_new(thread: Thread, access: PanelAccess) -> None:
    """A member's marker: what others wrote after their last visit is new (all of it, on a first visit)."""
    if access.membership is None or not access.is_member:
        return
    since: datetime | None = access.membership.last_read_at
    for contribution in thread.contributions:
        contribution.is_new = contribution.author_id != access.user_id and (
            since is None or contribution.created_at > since
        )
        if contribution.is_new:
            thread.new_count += 1
            thread.first_new_id = thread.first_new_id or contribution.pk


def get_open_information_request(access: PanelAccess, contribution_id: int) -> Contribution:
    """A request for more information of this panel, for its answer; 404 when it is none of those."""
    try:
        return Contribution.objects.get(
            pk=contribution_id, panel=access.panel, kind=Contribution.Kind.INFORMATION_REQUEST
        )
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def read_attachment_for_user(request, panel_id: int, attachment_id: int) -> tuple:
    """(the attachment, its decrypted bytes, the panel) for whoever reads the discussion; recorded."""
    access = find_panel_for_user(request, panel_id)
    require_reader(access)
    try:
        attachment = ContributionAttachment.objects.select_related("contribution").get(
            pk=attachment_id, contribution__panel=access.panel
        )
    except (ContributionAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    data = read_attachment(attachment)
    record(
        request.user,
        DOWNLOADED,
        access.panel,
        {
            "pseudonym": access.panel.patient.pseudonym,
            "contribution": attachment.contribution_id,
            "attachment": attachment.pk,
        },
    )
    return attachment, data, access.panel
