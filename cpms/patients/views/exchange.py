"""Take a case out (Phenopacket, FHIR Bundle) and start one from such a file."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cpms.clinical.decorators import cpms_user_required

from ..actions.exchange import FHIR, PHENOPACKET, do_export_case, do_prefill_case_from_file
from ..exchange.importing import (
    MAX_BYTES,
    UnreadableFile,
    forget_prefill,
    keep_prefill,
    kept_prefill,
    plan,
    read_upload,
)
from ..exchange.validation import ExportInvalid
from ..forms.exchange import CaseImportForm, ConfirmImportForm
from ..queries import find_patient_for_user, get_patient_for_user


@cpms_user_required
@require_GET
def case_export(request: HttpRequest, pseudonym: str) -> HttpResponse:
    patient = get_patient_for_user(request, pseudonym)
    return render(request, "patients/case_export.html", {"patient": patient})


def export_response(request: HttpRequest, pseudonym: str, export_format: str) -> HttpResponse:
    patient = find_patient_for_user(request, pseudonym)  # the export is the audited read
    try:
        export = do_export_case(acting_user=request.user, patient=patient, export_format=export_format)
    except ExportInvalid as invalid:
        context = {"patient": patient, "problems": invalid.problems, "export_format": export_format}
        return render(request, "patients/case_export_invalid.html", context, status=422)
    response = HttpResponse(export.text, content_type=f"{export.content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    response["Cache-Control"] = "no-store"
    return response


@cpms_user_required
@require_GET
def case_export_phenopacket(request: HttpRequest, pseudonym: str) -> HttpResponse:
    return export_response(request, pseudonym, PHENOPACKET)


@cpms_user_required
@require_GET
def case_export_fhir(request: HttpRequest, pseudonym: str) -> HttpResponse:
    return export_response(request, pseudonym, FHIR)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def case_import(request: HttpRequest, pseudonym: str) -> HttpResponse:
    patient = get_patient_for_user(request, pseudonym)
    form = CaseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            prefill = read_upload(upload.read(MAX_BYTES + 1))
        except UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            keep_prefill(request, patient, prefill, upload.name)
            return redirect("patients:case-import-preview", pseudonym=patient.pseudonym)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "patients/case_import.html",
        {"patient": patient, "form": form, "max_bytes": MAX_BYTES},
        status=status,
    )


def filled_message(file_name: str, done) -> str:
    return _(
        "The case was filled from %(file)s: %(diagnoses)s diagnoses, %(phenotypes)s phenotypic features"
        " and %(variants)s variants added."
    ) % {
        "file": file_name,
        "diagnoses": len(done.diagnoses),
        "phenotypes": len(done.phenotypes),
        "variants": len(done.variants),
    }


@cpms_user_required
@require_http_methods(["GET", "POST"])
def case_import_preview(request: HttpRequest, pseudonym: str) -> HttpResponse:
    patient = get_patient_for_user(request, pseudonym)
    kept = kept_prefill(request, patient)
    if kept is None:
        messages.info(request, _("Choose the file to start the case from."))
        return redirect("patients:case-import", pseudonym=patient.pseudonym)
    prefill, file_name = kept
    if request.method == "POST" and ConfirmImportForm(request.POST).is_valid():
        done = do_prefill_case_from_file(acting_user=request.user, patient=patient, prefill=prefill)
        forget_prefill(request)
        messages.success(request, filled_message(file_name, done))
        return redirect("patients:case-detail", pseudonym=patient.pseudonym)
    context = {"patient": patient, "plan": plan(patient, prefill), "file_name": file_name, "prefill": prefill}
    return render(request, "patients/case_import_preview.html", context)
