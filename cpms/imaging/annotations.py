"""Annotations on a study: the JSON the viewer sends, checked before anything is written, and the
three writes (add, change, delete), each audited.

The body is hostile until proven otherwise: it must be a small JSON object naming one of the
study's instances, a known tool, the tool's number of points as pairs of finite numbers near the
image, and a short text. Anything else is refused with a message (400), and nothing saved changes.
Only the author changes or deletes an annotation; everyone who may see the study sees it.
"""

import json
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpms.audit.record import record

from .models import Annotation, Instance, Study
from .queries import StudyAccess

ADDED = "imaging.annotation.added"
CHANGED = "imaging.annotation.changed"
DELETED = "imaging.annotation.deleted"

MAX_BODY = 16 * 1024
POINTS = {Annotation.Tool.LENGTH: 2, Annotation.Tool.ANGLE: 3, Annotation.Tool.ARROW: 2}
TEXT_LENGTH = Annotation._meta.get_field("text").max_length


class AnnotationRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class AnnotationInput:
    instance: Instance
    tool: str
    points: list[list[float]]
    text: str


def parse_body(body: bytes) -> dict:
    if len(body) > MAX_BODY:
        raise AnnotationRefused(_("The annotation is too large."), 413)
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AnnotationRefused(_("The annotation is not valid JSON.")) from None
    if not isinstance(value, dict):
        raise AnnotationRefused(_("The annotation must be a JSON object."))
    return value


def _points(value, tool: str, limit: float) -> list[list[float]]:
    points = value.get("points") if isinstance(value, dict) else None
    wanted = POINTS[tool]
    if not isinstance(points, list) or len(points) != wanted:
        raise AnnotationRefused(_("This tool needs %(count)d points.") % {"count": wanted})
    checked = []
    for point in points:
        if (
            not isinstance(point, list)
            or len(point) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point)
            or not all(math.isfinite(c) and abs(c) <= limit for c in point)
        ):
            raise AnnotationRefused(_("Each point is two numbers on or near the image."))
        checked.append([round(float(point[0]), 2), round(float(point[1]), 2)])
    return checked


def validate(study: Study, value: dict) -> AnnotationInput:
    """The checked input, or AnnotationRefused naming what is wrong. One query (the instance)."""
    tool = value.get("tool")
    if tool not in POINTS:
        raise AnnotationRefused(_("Choose a tool: length, angle or arrow."))
    sop_uid = value.get("sop_uid")
    if not isinstance(sop_uid, str) or not 0 < len(sop_uid) <= 64:
        raise AnnotationRefused(_("Say which image the annotation is on."))
    instance = (
        Instance.objects.filter(series__study=study, sop_uid=sop_uid)
        .select_related("series")
        .only("pk", "sop_uid", "series__id", "series__rows", "series__columns", "series__study_id")
        .first()
    )
    if instance is None:
        raise AnnotationRefused(_("That image is not part of this study."))
    series = value.get("series")
    if series is not None and str(series) != str(instance.series.pk):
        raise AnnotationRefused(_("That image is not part of this series."))
    side = max(instance.series.rows or 0, instance.series.columns or 0, 1)
    points = _points(value.get("data"), tool, limit=side * 4)
    text = value.get("text", "")
    if not isinstance(text, str) or len(text) > TEXT_LENGTH:
        raise AnnotationRefused(_("The text is at most %(count)d characters.") % {"count": TEXT_LENGTH})
    text = text.strip()
    if tool == Annotation.Tool.ARROW and not text:
        raise AnnotationRefused(_("An arrow needs a text."))
    return AnnotationInput(instance, tool, points, text)


def _audited(annotation: Annotation) -> dict:
    """What the audit trail keeps of an annotation: which, its tool, the patient's pseudonym."""
    return {
        "annotation": annotation.pk,
        "tool": annotation.tool,
        "pseudonym": annotation.study.patient.pseudonym,
    }


def do_add_annotation(*, acting_user, access: StudyAccess, value: dict) -> Annotation:
    if not access.may_annotate:
        raise AnnotationRefused(_("This study cannot be annotated until it is confirmed."), 409)
    checked = validate(access.study, value)
    with transaction.atomic():
        annotation = Annotation.objects.create(
            study=access.study,
            series=checked.instance.series,
            sop_uid=checked.instance.sop_uid,
            author=acting_user,
            tool=checked.tool,
            data={"points": checked.points},
            text=checked.text,
        )
        record(acting_user, ADDED, annotation.study, _audited(annotation))
    return annotation


def _own(access: StudyAccess, acting_user, annotation_id) -> Annotation:
    """The user's own annotation on this study, locked; another's is refused (403), a missing one 404."""
    try:
        annotation = (
            Annotation.objects.select_for_update()
            .select_related("study__patient")
            .get(pk=annotation_id, study=access.study, deleted_at__isnull=True)
        )
    except (Annotation.DoesNotExist, ValueError, TypeError):
        raise AnnotationRefused(_("This annotation does not exist or was deleted."), 404) from None
    if annotation.author_id != acting_user.pk:
        raise AnnotationRefused(_("Only its author may change or delete an annotation."), 403)
    return annotation


def do_change_annotation(*, acting_user, access: StudyAccess, annotation_id, value: dict) -> Annotation:
    if not access.may_annotate:
        raise AnnotationRefused(_("This study cannot be annotated until it is confirmed."), 409)
    with transaction.atomic():
        annotation = _own(access, acting_user, annotation_id)
        merged = {
            "tool": annotation.tool,
            "sop_uid": annotation.sop_uid,
            "data": annotation.data,
            "text": annotation.text,
            **value,
        }
        checked = validate(access.study, merged)
        if checked.tool != annotation.tool:
            raise AnnotationRefused(_("An annotation keeps its tool: delete it and draw another."))
        annotation.series = checked.instance.series
        annotation.sop_uid = checked.instance.sop_uid
        annotation.data = {"points": checked.points}
        annotation.text = checked.text
        annotation.updated_at = timezone.now()
        annotation.save(update_fields=("series", "sop_uid", "data", "text", "updated_at"))
        record(acting_user, CHANGED, annotation.study, _audited(annotation))
    return annotation


def do_delete_annotation(*, acting_user, access: StudyAccess, annotation_id) -> None:
    with transaction.atomic():
        annotation = _own(access, acting_user, annotation_id)
        annotation.deleted_at = timezone.now()
        annotation.save(update_fields=("deleted_at",))
        record(acting_user, DELETED, annotation.study, _audited(annotation))
