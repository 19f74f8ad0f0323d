"""What the report pages read, with the permission check built in.

The KPIs of an ERN are for its coordinators (a Coordinator grant in force) and for administrators
(every ERN); anyone else gets 404, as for an ERN that does not exist. A report file is its
requester's only: 404 for anyone else.
"""

from django.http import Http404

from cpms.access.models import GUEST_CODE, OrganisationNode
from cpms.access.queries.grants import COORDINATOR
from cpms.access.queries.scopes import access_for
from cpms.clinical.models import ThematicArea
from cpms.clinical.queries import APPLICATION

from .models import ReportRun

Kind = OrganisationNode.Kind


def reportable_erns(request) -> list[OrganisationNode]:
    """The ERNs whose KPIs the user may see, by code (one query; none when there are none); 404 for
    a user who may see none."""
    access = access_for(request)
    erns = OrganisationNode.objects.filter(kind=Kind.ERN, application__code=APPLICATION)
    if not access.is_administrator:
        ern_ids = access.ern_ids(APPLICATION, profiles=(COORDINATOR,))
        if not ern_ids:
            raise Http404
        erns = erns.filter(pk__in=ern_ids)
    erns = list(erns.order_by("code"))
    if not erns:
        raise Http404
    return erns


def chosen_ern(erns: list[OrganisationNode], value) -> OrganisationNode:
    """The ERN asked for (`?ern=<id>`), or the first one; 404 when it is not one of theirs."""
    if value in (None, ""):
        return erns[0]
    try:
        ern_id = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    for ern in erns:
        if ern.pk == ern_id:
            return ern
    raise Http404


def centres_of(ern: OrganisationNode) -> list[OrganisationNode]:
    """The ERN's institutions, guest access aside (it is not a centre), by code (one query)."""
    centres = OrganisationNode.objects.filter(ern=ern, kind=Kind.INSTITUTION).exclude(code=GUEST_CODE)
    return list(centres.order_by("code"))


def areas_of(ern: OrganisationNode) -> list[ThematicArea]:
    return list(ThematicArea.objects.filter(ern=ern).order_by("name"))


def get_run_for_user(request, run_id: int) -> ReportRun:
    """One of the user's own report runs; 404 for anyone else's, or a missing one."""
    try:
        return ReportRun.objects.select_related("ern", "centre", "thematic_area").get(
            pk=run_id, requested_by_id=request.user.pk
        )
    except ReportRun.DoesNotExist:
        raise Http404 from None


def recent_runs(user, size: int = 5) -> list[ReportRun]:
    return list(
        ReportRun.objects.filter(requested_by=user)
        .select_related("ern")
        .order_by("-created_at", "-id")[:size]
    )
