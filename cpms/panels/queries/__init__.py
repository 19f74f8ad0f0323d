"""Who may see a panel, and as what: the check every panel page and action starts with.

A panel is reached by its requester (while they hold the HP grant at the requesting centre), by
its members who accepted (the lead is one), by people invited to it (the invitation only), and by
the coordinators and dispatchers of the ERN that handles it (from submission on). Anyone else gets
404, as for a panel that does not exist. Membership is read at each request: a member removed
from the panel loses access on their next request.

Every read of a panel shows patient data (the pseudonymised case) and is audited
(`panels.panel.viewed`); `find_panel_for_user` is the unaudited twin for actions, which record
their own event.
"""

from dataclasses import dataclass

from django.http import Http404

from cpms.access.queries.grants import COORDINATOR, DISPATCHER
from cpms.access.queries.scopes import Access, access_for
from cpms.audit.record import record
from cpms.patients.queries import hp_centre_ids

from ..models import Membership, Panel, PanelStatus

APPLICATION = "cpms"
VIEWED = "panels.panel.viewed"
TRIAGE_PROFILES = (COORDINATOR, DISPATCHER)
# A draft is its requester's alone; triage starts at submission.
HIDDEN_FROM_TRIAGE = (PanelStatus.DRAFT,)


def triage_ern_ids(access: Access) -> list[int]:
    """The ERNs whose requests for assistance the user handles (Coordinator or Dispatcher in force)."""
    return access.ern_ids(APPLICATION, profiles=TRIAGE_PROFILES)


@dataclass(frozen=True)
class PanelAccess:
    """A panel and what the signed-in user is to it."""

    panel: Panel
    user_id: int
    membership: Membership | None  # theirs, in any state but removed or declined
    is_requester: bool
    is_triager: bool

    @property
    def is_member(self) -> bool:
        """Accepted on the panel (the lead is a member): may read the case and take part."""
        return self.membership is not None and self.membership.status == Membership.Status.ACCEPTED

    @property
    def is_invited(self) -> bool:
        return self.membership is not None and self.membership.status == Membership.Status.INVITED

    @property
    def is_lead(self) -> bool:
        return self.is_member and self.panel.lead_id == self.user_id

    @property
    def may_read_case(self) -> bool:
        """The pseudonymised case and the discussion: members, the requester, and triage."""
        return self.is_member or self.is_requester or self.is_triager


def panel_access(request, panel: Panel) -> PanelAccess | None:
    """What the user is to `panel`, or None when they may not see it at all. One query (membership)."""
    user = request.user
    access = access_for(request)
    membership = (
        Membership.objects.filter(panel=panel, user=user)
        .exclude(status__in=(Membership.Status.REMOVED, Membership.Status.DECLINED))
        .first()
    )
    is_requester = panel.requester_id == user.pk and panel.centre_id in hp_centre_ids(access)
    is_triager = panel.status not in HIDDEN_FROM_TRIAGE and panel.ern_id in triage_ern_ids(access)
    if membership is None and not is_requester and not is_triager:
        return None
    if panel.status == PanelStatus.DRAFT and not is_requester:
        return None
    return PanelAccess(panel, user.pk, membership, is_requester, is_triager)


def find_panel_for_user(request, panel_id: int) -> PanelAccess:
    """The panel and the user's place on it; 404 when it is missing or not theirs. Not audited."""
    try:
        panel = (
            Panel.objects.unscoped()
            .select_related("patient", "ern", "thematic_area", "centre", "requester", "lead")
            .get(pk=panel_id)
        )
    except (Panel.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    found = panel_access(request, panel)
    if found is None:
        raise Http404
    return found


def get_panel_for_user(request, panel_id: int, *, what: str = "") -> PanelAccess:
    """As find_panel_for_user, and audited as a read of the panel (what was read: `what`, or the page)."""
    found = find_panel_for_user(request, panel_id)
    match = getattr(request, "resolver_match", None)
    page = what or (match.view_name if match else "")
    record(request.user, VIEWED, found.panel, {"pseudonym": found.panel.patient.pseudonym, "what": page})
    return found
