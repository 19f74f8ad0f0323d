"""Intake pages: the upload page (from the case or a panel), the JSON calls of static/imaging/upload.js
(announce files, PUT chunks, finish), the progress page (htmx polling), and the check before
sharing (preview before/after, burned-in warning, masking, confirm). Short views: check the input,
call one query or action, render or answer."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.clinical.decorators import cpms_user_required

from .. import intake_queries as q
from .. import masking
from ..actions import (
    IntakeRefused,
    do_add_upload_files,
    do_confirm_study,
    do_finish_upload,
    do_mask_series,
    do_receive_chunk,
    do_start_upload,
)
from ..forms import ConfirmForm, MaskForm, parse_file_list, parse_offset
from ..models import Upload, UploadFile

REVIEW = "imaging:study-review"


def json_error(message, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": str(message), **extra}, status=status)


def file_json(upload: Upload, upload_file: UploadFile) -> dict:
    return {
        "id": upload_file.pk,
        "key": getattr(upload_file, "browser_key", upload_file.client_key),
        "name": upload_file.name,
        "size": upload_file.size_bytes,
        "received": upload_file.received_bytes,
        "status": upload_file.status,
        "refusal": upload_file.refusal,
        "chunk": reverse("imaging:upload-chunk", args=(upload.pk, upload_file.pk)),
    }


def upload_json(upload: Upload) -> dict:
    return {
        "upload": upload.pk,
        "status": upload.status,
        "files": reverse("imaging:upload-files", args=(upload.pk,)),
        "finish": reverse("imaging:upload-finish", args=(upload.pk,)),
        "progress": reverse("imaging:upload-progress", args=(upload.pk,)),
    }


def start_or_page(request, patient, panel, back_url) -> HttpResponse:
    if request.method == "POST":
        upload = do_start_upload(acting_user=request.user, patient=patient, panel=panel)
        return JsonResponse(upload_json(upload), status=201)
    context = {
        "patient": patient,
        "panel": panel,
        "back_url": back_url,
        "start_url": request.path,
        "chunk_bytes": settings.IMAGING_CHUNK_BYTES,
        "max_file_bytes": settings.IMAGING_MAX_FILE_BYTES,
        "abandoned_after_hours": settings.IMAGING_ABANDONED_AFTER_HOURS,
    }
    return render(request, "imaging/upload_new.html", context)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def upload_new(request: HttpRequest, pseudonym: str) -> HttpResponse:
    patient = q.find_uploadable_patient(request, pseudonym)
    return start_or_page(request, patient, None, reverse("patients:case-detail", args=(patient.pseudonym,)))


@cpms_user_required
@require_http_methods(["GET", "POST"])
def panel_upload_new(request: HttpRequest, panel: int) -> HttpResponse:
    found = q.find_uploadable_panel(request, panel)
    return start_or_page(request, found.patient, found, reverse("panels:panel-detail", args=(found.pk,)))


@cpms_user_required
@require_http_methods(["GET", "POST"])
def upload_files(request: HttpRequest, upload: int) -> JsonResponse:
    found = q.find_upload_for_user(request, upload)
    if request.method == "POST":
        try:
            files = parse_file_list(request.body)
            rows = do_add_upload_files(acting_user=request.user, upload=found, files=files)
        except ValidationError as error:
            return json_error(error.messages[0])
        except IntakeRefused as error:
            return json_error(error.message, error.status)
    else:
        rows = q.upload_files(found)
    return JsonResponse({**upload_json(found), "items": [file_json(found, row) for row in rows]})


@cpms_user_required
@require_http_methods(["PUT"])
def upload_chunk(request: HttpRequest, upload: int, file: int) -> JsonResponse:
    found = q.find_upload_for_user(request, upload)
    offset = parse_offset(request.GET.get("offset"))
    if offset is None:
        return json_error(_("Say where this part starts (offset)."))
    data = request.read(settings.IMAGING_CHUNK_BYTES + 1)
    try:
        row = do_receive_chunk(acting_user=request.user, upload=found, file_id=file, offset=offset, data=data)
    except IntakeRefused as error:
        current = (
            UploadFile.objects.filter(pk=file, upload=found).values_list("received_bytes", flat=True).first()
        )
        return json_error(error.message, error.status, received=current)
    return JsonResponse(file_json(found, row))


@cpms_user_required
@require_POST
def upload_finish(request: HttpRequest, upload: int) -> HttpResponse:
    found = q.find_upload_for_user(request, upload)
    try:
        do_finish_upload(acting_user=request.user, upload=found)
    except IntakeRefused as error:
        return json_error(error.message, error.status)
    return JsonResponse(upload_json(found))


@cpms_user_required
@require_GET
def upload_progress(request: HttpRequest, upload: int) -> HttpResponse:
    found = q.find_upload_for_user(request, upload)
    context = {
        "upload": found,
        "files": q.upload_files(found),
        "studies": q.upload_studies(found),
        "abandoned_after_hours": settings.IMAGING_ABANDONED_AFTER_HOURS,
    }
    if request.headers.get("HX-Request"):
        return render(request, "imaging/_upload_status.html", context)
    return render(request, "imaging/upload_progress.html", context)


def review_page(request, review, *, mask_form=None, mask_series=None, confirm_form=None, status=200):
    panels = q.shareable_panels(review)
    if confirm_form is None:
        initial = {"panels": list(review.panel_ids)} if review.panel_ids else {}
        if review.study.upload and review.study.upload.panel_id:
            initial = {"panels": [review.study.upload.panel_id]}
        confirm_form = ConfirmForm(panels=panels, initial=initial)
    context = {
        "study": review.study,
        "review": review,
        "series_list": q.review_rows(review),
        "mask_form": mask_form or MaskForm(),
        "mask_series": mask_series,
        "confirm_form": confirm_form,
        "panels": panels,
    }
    return render(request, "imaging/study_review.html", context, status=status)


@cpms_user_required
@require_GET
def study_review(request: HttpRequest, study: int) -> HttpResponse:
    review = q.get_review_for_user(request, study)
    return review_page(request, review)


@cpms_user_required
@require_GET
def series_preview(request: HttpRequest, study: int, series: int) -> HttpResponse:
    review = q.find_review_for_user(request, study)
    try:
        png = q.series_preview_png(review, series)
    except masking.MaskRefused as error:
        return HttpResponse(str(error.message), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@cpms_user_required
@require_POST
def series_mask(request: HttpRequest, study: int, series: int) -> HttpResponse:
    review = q.find_review_for_user(request, study)
    form = MaskForm(request.POST)
    if not form.is_valid():
        return review_page(request, review, mask_form=form, mask_series=series, status=400)
    try:
        do_mask_series(acting_user=request.user, study=review.study, series_id=series, region=form.region())
    except IntakeRefused as error:
        messages.error(request, error.message)
        return redirect(REVIEW, review.study.pk)
    messages.success(request, _("The region is blanked in every image of the series."))
    return redirect(REVIEW, review.study.pk)


@cpms_user_required
@require_POST
def study_confirm(request: HttpRequest, study: int) -> HttpResponse:
    review = q.find_review_for_user(request, study)
    panels = q.shareable_panels(review)
    form = ConfirmForm(request.POST, panels=panels)
    if not form.is_valid():
        return review_page(request, review, confirm_form=form, status=400)
    try:
        do_confirm_study(
            acting_user=request.user,
            study=review.study,
            panel_ids=form.cleaned_data["panels"],
            allowed_panel_ids=[panel.pk for panel in panels],
        )
    except IntakeRefused as error:
        messages.error(request, error.message)
        return redirect(REVIEW, review.study.pk)
    messages.success(request, _("The study is ready and shared with the panels you chose."))
    return redirect(REVIEW, review.study.pk)
