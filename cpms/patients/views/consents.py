"""Consents: record one (given, refused, withdrawn) with its signed form, download a form, and the model
consent forms to print."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cpms.audit.record import record
from cpms.clinical.decorators import cpms_user_required

from ..actions.consents import do_record_consent
from ..documents import read_document
from ..forms.consents import SIGNED_FORM_CHECK, ConsentForm, SignedFormUpload
from ..models import Document, Patient
from ..models.patient import ConsentKind
from ..queries import find_patient_for_user, get_patient_for_user

MODEL_FORM_LANGUAGES = ("en", "fr")


@cpms_user_required
@require_http_methods(["GET", "POST"])
def consent_record(request: HttpRequest, pseudonym: str) -> HttpResponse:
    if request.method == "POST":
        patient = find_patient_for_user(request, pseudonym)  # the action records what it does
    else:
        patient = get_patient_for_user(request, pseudonym)
    form = ConsentForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    upload = SignedFormUpload(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() & upload.is_valid():
        try:
            do_record_consent(
                acting_user=request.user,
                patient=patient,
                **form.cleaned_data,
                form=upload.cleaned_data["consent_form"],
            )
        except (PermissionDenied, Patient.DoesNotExist):
            raise Http404 from None
        messages.success(request, _("Consent recorded."))
        return redirect("patients:consent-record", pseudonym=patient.pseudonym)
    consents = list(patient.consents.select_related("form", "recorded_by").order_by("-recorded_at", "-id"))
    context = {
        "patient": patient,
        "centre": patient.centre,
        "form": form,
        "upload": upload,
        "consents": consents,
        "kinds": ConsentKind.choices,
        "max_upload_bytes": SIGNED_FORM_CHECK.max_bytes,
    }
    return render(request, "patients/consent_record.html", context)


@cpms_user_required
@require_GET
def consent_form_download(request: HttpRequest, pseudonym: str, document: int) -> HttpResponse:
    patient = find_patient_for_user(request, pseudonym)
    try:
        found = patient.documents.get(pk=document, kind=Document.Kind.CONSENT_FORM)
    except Document.DoesNotExist:
        raise Http404 from None
    record(
        request.user,
        "patients.document.downloaded",
        patient,
        {"pseudonym": patient.pseudonym, "what": f"document {found.pk}"},
    )
    response = HttpResponse(read_document(found), content_type=found.content_type)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        found.content_type, "bin"
    )
    # Named by pseudonym, never by the uploaded name (which may carry the patient's name).
    response["Content-Disposition"] = (
        f'attachment; filename="{patient.pseudonym}-consent-{found.pk}.{extension}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@cpms_user_required
@require_GET
def model_consent_form(request: HttpRequest, language: str) -> HttpResponse:
    """Our model texts of the three consents, as a PDF to print and sign (English or French)."""
    if language not in MODEL_FORM_LANGUAGES:
        raise Http404
    from weasyprint import HTML  # a heavy import, for this page only

    with translation.override(language):
        html = render_to_string("patients/model_consent_form.html", {"language": language})
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cpms-model-consent-forms-{language}.pdf"'
    return response
