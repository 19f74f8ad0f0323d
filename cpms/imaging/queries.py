"""Who may see a study, and as what: the check every image page, the image endpoint and every
annotation call start with.

A study is reached by the HPs of the patient's enrolling centre (who uploaded or may upload it: the
whole study, in any state, with the uploader's preview), and, once confirmed (`ready`), by the
accepted members of the panels it is shared with. Anyone else gets 404, as for a missing study;
a member removed from the panel loses it on their next request.

Reads are audited (`imaging.study.viewed`, once per study opened); `find_study_for_user` is the
unaudited twin for actions and the image endpoint's per-instance reads.
"""

from dataclasses import dataclass

from django.http import Http404

from cpms.access.queries.scopes import access_for
from cpms.audit.record import record
from cpms.panels.models import Membership
from cpms.patients.queries import hp_centre_ids

from .models import Annotation, Instance, Series, Study

VIEWED = "imaging.study.viewed"


@dataclass(frozen=True)
class StudyAccess:
    """A study and what the signed-in user is to it."""

    study: Study
    is_centre: bool  # an HP of the enrolling centre
    panel_ids: tuple[int, ...]  # the panels through which they see it (accepted member)

    @property
    def may_annotate(self) -> bool:
        return self.study.status == Study.Status.READY

    @property
    def may_manage(self) -> bool:
        """Check the preview, mask, confirm, share with panels, delete: the enrolling centre only."""
        return self.is_centre


def member_panel_ids(user, study: Study) -> tuple[int, ...]:
    """The panels sharing `study` on which the user is an accepted member. One query."""
    return tuple(
        Membership.objects.filter(
            user=user, status=Membership.Status.ACCEPTED, panel__in=study.panels.all()
        ).values_list("panel_id", flat=True)
    )


def study_access(request, study: Study) -> StudyAccess | None:
    is_centre = study.patient.centre_id in hp_centre_ids(access_for(request))
    panel_ids = () if study.status != Study.Status.READY else member_panel_ids(request.user, study)
    if not is_centre and not panel_ids:
        return None
    return StudyAccess(study, is_centre, panel_ids)


def find_study_for_user(request, study_id: int) -> StudyAccess:
    """The study and the user's place; 404 when it is missing or not theirs. Not audited."""
    try:
        study = Study.objects.unscoped().select_related("patient").get(pk=study_id)
    except (Study.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    found = study_access(request, study)
    if found is None:
        raise Http404
    return found


def get_study_for_user(request, study_id: int, *, what: str = "") -> StudyAccess:
    """As find_study_for_user, and audited as the study opened (what was read: `what`, or the page)."""
    found = find_study_for_user(request, study_id)
    match = getattr(request, "resolver_match", None)
    data = {"pseudonym": found.study.patient.pseudonym, "what": what or (match.view_name if match else "")}
    record(request.user, VIEWED, found.study, data)
    return found


# -- viewer: the series and instances of a study, the panel's studies, the annotations


def viewer_series(study: Study) -> list[Series]:
    """The study's series in order, each with `.stack`: its instances in scroll order. Two queries."""
    series = list(study.series.all())
    by_id = {row.pk: row for row in series}
    for row in series:
        row.stack = []
    instances = Instance.objects.filter(series__study=study).only(
        "pk", "series_id", "sop_uid", "instance_number", "slice_position"
    )
    for instance in instances.order_by("series_id", "slice_position", "instance_number", "pk"):
        by_id[instance.series_id].stack.append(instance)
    return series


def find_instance(access: StudyAccess, instance_id: int) -> Instance:
    """One instance of the study the user reached (404 for one of another study). One query."""
    try:
        return Instance.objects.only("pk", "stored_name", "sop_uid", "sha256").get(
            pk=instance_id, series__study=access.study
        )
    except (Instance.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def panel_studies(panel) -> list[Study]:
    """The confirmed studies shared with the panel, newest first, with their series. Two queries."""
    return list(Study.objects.shared_with_panels([panel.pk]).prefetch_related("series"))


def study_annotations(study: Study) -> list[Annotation]:
    """The study's annotations (not deleted), oldest first, with author and slice. One query."""
    return list(
        Annotation.objects.filter(study=study, deleted_at__isnull=True)
        .select_related("author", "series")
        .order_by("created_at", "pk")
    )
