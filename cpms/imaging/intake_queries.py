"""The reads of intake: who may send images for a patient, follow an upload, and check a study
before it is shared. Anyone else gets 404, as for something missing.

- Upload for a patient: an HP of the patient's enrolling centre (find_patient_for_user), or an
  accepted member of a panel on the patient (from that panel's page).
- An upload is its sender's alone, while they keep that right.
- The review of a study (preview, masking, confirming): the enrolling centre, who sees the tags
  before and after; or, for a study sent from a panel, its sender while still an accepted member,
  who sees the tags after only and shares it with that panel.
"""

import json
from dataclasses import dataclass

from django.http import Http404

from cpms.access.queries.scopes import access_for
from cpms.audit.record import record
from cpms.panels.models import Membership, Panel, PanelStatus
from cpms.panels.queries import find_panel_for_user
from cpms.patients.queries import find_patient_for_user, hp_centre_ids

from .deidentify import BURNED_IN_REASONS
from .masking import preview_png
from .models import Series, Study, Upload
from .queries import study_access

VIEWED = "imaging.study.viewed"  # as queries.VIEWED: the check page is a read of the study


def find_uploadable_patient(request, pseudonym: str):
    """The patient, for the HPs of its centre; 404 otherwise."""
    return find_patient_for_user(request, pseudonym)


def find_uploadable_panel(request, panel_id: int) -> Panel:
    """The panel, for its accepted members while it is open; 404 otherwise."""
    access = find_panel_for_user(request, panel_id)
    if not access.is_member or access.panel.status != PanelStatus.OPEN:
        raise Http404
    return access.panel


def may_send_for(request, upload: Upload) -> bool:
    if upload.user_id != request.user.pk:
        return False
    if upload.patient.centre_id in hp_centre_ids(access_for(request)):
        return True
    return upload.panel_id is not None and is_member(request.user, upload.panel_id)


def is_member(user, panel_id: int) -> bool:
    return Membership.objects.filter(user=user, panel_id=panel_id, status=Membership.Status.ACCEPTED).exists()


def find_upload_for_user(request, upload_id: int) -> Upload:
    """The user's own upload, while they may still send for its patient; 404 otherwise."""
    try:
        upload = Upload.objects.select_related("patient", "panel").get(pk=upload_id, user=request.user)
    except (Upload.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_send_for(request, upload):
        raise Http404
    return upload


def upload_files(upload: Upload):
    """The leaves of an upload (a ZIP's entries, not the ZIP), in the order they came."""
    return upload.files.filter(is_archive=False).order_by("pk")


@dataclass(frozen=True)
class ReviewAccess:
    study: Study
    is_centre: bool  # sees the tags before; may share with any panel of the patient
    panel_ids: tuple[int, ...]  # the panels it may be shared with (empty: any of the patient's)


def find_review_for_user(request, study_id: int) -> ReviewAccess:
    """The study to check and confirm; 404 for anyone but its centre and its panel sender."""
    try:
        study = Study.objects.unscoped().select_related("patient", "upload").get(pk=study_id)
    except (Study.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    found = study_access(request, study)
    if found is not None and found.is_centre:
        return ReviewAccess(study, True, ())
    upload = study.upload
    if (
        upload is not None
        and upload.panel_id
        and study.uploaded_by_id == request.user.pk
        and is_member(request.user, upload.panel_id)
    ):
        return ReviewAccess(study, False, (upload.panel_id,))
    raise Http404


def get_review_for_user(request, study_id: int) -> ReviewAccess:
    """As find_review_for_user, and audited as the study opened (its check page)."""
    review = find_review_for_user(request, study_id)
    data = {"pseudonym": review.study.patient.pseudonym, "what": "imaging:study-review"}
    record(request.user, VIEWED, review.study, data)
    return review


@dataclass(frozen=True)
class SeriesReview:
    series: Series
    tags: list[tuple[str, str, str]]  # (keyword, before or "", after)
    reasons: list[str]  # why it may show burned-in text, for the page


def review_rows(review: ReviewAccess) -> list[SeriesReview]:
    """Each series with its tags before (the centre only) and after, and its burned-in reasons."""
    rows = []
    for series in review.study.series.all().order_by("number", "pk"):
        before = {}
        if review.is_centre and series.preview_before:
            try:
                before = {row["keyword"]: row["value"] for row in json.loads(series.preview_before)}
            except (ValueError, TypeError, KeyError):
                before = {}
        tags = [
            (row["keyword"], before.get(row["keyword"], ""), row["value"]) for row in series.preview_after
        ]
        reasons = [str(BURNED_IN_REASONS.get(code, code)) for code in series.burned_in_reasons]
        rows.append(SeriesReview(series, tags, reasons))
    return rows


def get_review_series(review: ReviewAccess, series_id: int) -> Series:
    try:
        return review.study.series.get(pk=series_id)
    except (Series.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def series_preview_png(review: ReviewAccess, series_id: int) -> bytes:
    """The middle image of one series of the study under review, as a PNG (masking.MaskRefused)."""
    return preview_png(get_review_series(review, series_id))


def upload_studies(upload: Upload) -> list[Study]:
    return list(Study.objects.unscoped().filter(series__instances__isnull=False, upload=upload).distinct())


def shareable_panels(review: ReviewAccess) -> list[Panel]:
    """The open panels of this patient, which the study may be shared with."""
    panels = Panel.objects.unscoped().filter(patient=review.study.patient, status=PanelStatus.OPEN)
    if review.panel_ids:
        panels = panels.filter(pk__in=review.panel_ids)
    return list(panels.order_by("-pk"))


def list_patient_studies(patient) -> list[Study]:
    """The studies of a patient, newest first: for the case page (the enrolling centre's)."""
    return list(Study.objects.of_patients([patient.pk]).prefetch_related("panels").order_by("-created_at"))
