"""The viewer's pages and endpoints: a panel's studies, the study viewer, each instance's DICOM bytes
(WADO-URI style), and the annotations as JSON.

The viewer page is the study opened (audited once, by get_study_for_user); the image endpoint and
the annotation calls re-check the user's right on every request (find_study_for_user: 404 for
anyone not theirs) without auditing each instance.
"""

import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cpms.clinical.decorators import cpms_user_required
from cpms.lib.middleware import content_security_policy
from cpms.panels.queries import get_panel_for_user

from ..annotations import (
    AnnotationRefused,
    do_add_annotation,
    do_change_annotation,
    do_delete_annotation,
    parse_body,
)
from ..models import Instance
from ..queries import (
    find_instance,
    find_study_for_user,
    get_study_for_user,
    panel_studies,
    study_annotations,
    viewer_series,
)
from ..rendering import NotRenderable, first_frame_png
from ..stores import image_store

# Cornerstone3D compiles its codecs (WebAssembly), decodes in module workers and draws its tool
# cursors from blob: images: on this page only.
viewer_policy = content_security_policy(
    script_src=("'wasm-unsafe-eval'",), worker_src=("'self'", "blob:"), img_src=("blob:",)
)


@cpms_user_required
@require_safe
def panel_study_list(request: HttpRequest, panel: int) -> HttpResponse:
    found = get_panel_for_user(request, panel)
    if not found.may_read_case:
        raise PermissionDenied
    context = {"panel": found.panel, "access": found, "studies": panel_studies(found.panel)}
    return render(request, "imaging/panel_studies.html", context)


@cpms_user_required
@require_safe
@viewer_policy
def study_viewer(request: HttpRequest, study: int) -> HttpResponse:
    access = get_study_for_user(request, study)
    series = viewer_series(access.study)
    config = viewer_config(request, access, series)
    context = {
        "study": access.study,
        "access": access,
        "series": series,
        "config": config,
        "chunks": viewer_chunks(),
        "first_slice": config["series"][0]["instances"][0]["url"] if series and series[0].stack else "",
        "first_preview": (
            reverse("imaging:instance-preview", args=(access.study.pk, series[0].stack[0].pk))
            if series and series[0].stack
            else ""
        ),
    }
    return render(request, "imaging/study_viewer.html", context)


def viewer_chunks() -> list[str]:
    """The addresses of the chunks viewer.js imports (static/imaging/viewer/build.mjs writes them in
    build/viewer/chunks.json), for the page to preload with the bundle: none when it is not built.
    Next to the bundle, unhashed, as its own imports resolve them (as codecsUrl below)."""
    found = finders.find("build/viewer/chunks.json")
    if not found:
        return []
    with open(found, encoding="utf-8") as file:
        chunks = json.load(file).get("viewer.js", [])
    return [f"{settings.STATIC_URL}build/viewer/{chunk}" for chunk in chunks]


# Kept by the browser, revalidated on every use: the right is checked each time (cpms/imaging/middleware.py).
REVALIDATE = "private, no-cache"


def revalidated(request: HttpRequest, etag: str, respond) -> HttpResponse:
    """304 when the browser holds this `etag` already, else `respond()`; either way marked to be
    revalidated by it (no ETag, no hash: the signed-in no-store stands)."""
    if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        response = respond()
    if response.status_code not in (200, 304):
        return response
    if etag:
        response["ETag"] = etag
        response.revalidated_cache_control = REVALIDATE
    else:
        response["Cache-Control"] = "private"
    return response


@cpms_user_required
@require_safe
def instance_file(request: HttpRequest, study: int, instance: int) -> HttpResponse:
    """The stored bytes, with a strong ETag (their SHA-256): the browser asks again with it and gets
    304 (no body, no read from the store), once the user's right has been checked again."""
    access = find_study_for_user(request, study)
    found = find_instance(access, instance)

    def respond() -> HttpResponse:
        response = HttpResponse(image_store().read(found.stored_name), content_type="application/dicom")
        response["Content-Disposition"] = f'inline; filename="{found.sop_uid}.dcm"'
        return response

    return revalidated(request, f'"{found.sha256}"' if found.sha256 else "", respond)


# Bumped when rendering.first_frame_png draws differently: a browser's kept preview is then redrawn.
PREVIEW_VERSION = "1"


@cpms_user_required
@require_safe
def instance_preview(request: HttpRequest, study: int, instance: int) -> HttpResponse:
    """The instance's first frame as a PNG, drawn as the viewer first draws it (rendering.py): the page
    shows it while the viewer starts. The same checks and caching as instance_file; 404 when the
    server cannot decode it (the page then waits for the viewer, as without)."""
    access = find_study_for_user(request, study)
    found = find_instance(access, instance)

    def respond() -> HttpResponse:
        try:
            png = first_frame_png(image_store().read(found.stored_name))
        except NotRenderable:
            return HttpResponse(status=404, content_type="text/plain; charset=utf-8")
        return HttpResponse(png, content_type="image/png")

    etag = f'"{found.sha256}-preview{PREVIEW_VERSION}"' if found.sha256 else ""
    return revalidated(request, etag, respond)


@cpms_user_required
@require_http_methods(["GET", "HEAD", "POST"])
def annotation_list(request: HttpRequest, study: int) -> HttpResponse:
    access = find_study_for_user(request, study)
    if request.method == "POST":
        try:
            value = parse_body(request.body)
            annotation = do_add_annotation(acting_user=request.user, access=access, value=value)
        except AnnotationRefused as refused:
            return JsonResponse({"error": refused.message}, status=refused.status)
        return JsonResponse(annotation_rows(request, [annotation])[0], status=201)
    return JsonResponse({"annotations": annotation_rows(request, study_annotations(access.study))})


@cpms_user_required
@require_http_methods(["PATCH", "DELETE"])
def annotation_detail(request: HttpRequest, study: int, annotation: int) -> HttpResponse:
    access = find_study_for_user(request, study)
    try:
        if request.method == "DELETE":
            do_delete_annotation(acting_user=request.user, access=access, annotation_id=annotation)
            return HttpResponse(status=204)
        changed = do_change_annotation(
            acting_user=request.user, access=access, annotation_id=annotation, value=parse_body(request.body)
        )
    except AnnotationRefused as refused:
        return JsonResponse({"error": refused.message}, status=refused.status)
    return JsonResponse(annotation_rows(request, [changed])[0])


def annotation_rows(request, annotations) -> list[dict]:
    """The annotations as the viewer reads them; the slice label from one query of their instances."""
    numbers = dict(
        Instance.objects.filter(sop_uid__in=[a.sop_uid for a in annotations]).values_list(
            "sop_uid", "instance_number"
        )
    )
    return [
        {
            "id": a.pk,
            "url": reverse("imaging:annotation-detail", args=(a.study_id, a.pk)),
            "tool": a.tool,
            "tool_label": a.get_tool_display(),
            "series": a.series_id,
            "sop_uid": a.sop_uid,
            "data": a.data,
            "text": a.text,
            "author": a.author.get_full_name() or a.author.get_username(),
            "mine": a.author_id == request.user.pk,
            "slice_label": _("%(series)s, image %(number)s")
            % {"series": a.series.description or a.series.modality, "number": numbers.get(a.sop_uid, "?")},
        }
        for a in annotations
    ]


def viewer_config(request, access, series) -> dict:
    """What viewer.js reads from the page (a json_script block): the stacks' addresses and texts."""
    study = access.study
    pattern = reverse("imaging:instance-file", args=(study.pk, 0)).removesuffix("0/") + "{}/"
    return {
        "workerUrl": static("build/viewer/worker.js"),
        "viewerUrl": static("build/viewer/viewer.js"),  # imported by boot.js
        # A folder, not a file: the manifest storage has no entry for it, and serves the originals too.
        "codecsUrl": f"{settings.STATIC_URL}build/viewer/codecs/",
        "annotationsUrl": reverse("imaging:annotation-list", args=(study.pk,)),
        "csrfToken": get_token(request),
        "mayAnnotate": access.may_annotate,
        "series": [
            {
                "id": row.pk,
                "label": series_label(row),
                "instances": [{"url": pattern.format(i.pk), "sop_uid": i.sop_uid} for i in row.stack],
            }
            for row in series
        ],
        "text": {
            "saved": _("Your annotations are saved."),
            "nothingToSave": _("Nothing new to save."),
            "deleted": _("Your annotation is deleted."),
            "notSaved": _("Not saved:"),
            "annotationsFailed": _("The annotations could not be loaded:"),
            "arrowNeedsText": _("Type the arrow's text in the field first, then draw the arrow."),
            "noWebgl": _("This browser cannot draw with WebGL: images are drawn more slowly."),
            "noWasm": _("This browser cannot run WebAssembly, which the viewer needs to decode images."),
            "failed": _(
                "The viewer could not start in this browser. The images are safe: try another browser."
            ),
        },
    }


def series_label(series) -> str:
    name = series.description or series.modality or _("Series %(number)s") % {"number": series.number}
    return _("%(description)s (%(count)d images)") % {"description": name, "count": len(series.stack)}
