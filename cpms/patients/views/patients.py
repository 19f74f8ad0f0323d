"""The patient pages of a centre: its list and search, enrolment, a patient, their access history, removal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cpms.access.queries.scopes import access_for
from cpms.clinical.decorators import cpms_user_required

from ..actions.patients import CONSENT_FIELDS, Identity, do_enrol_patient, do_remove_patient
from ..forms.consents import SIGNED_FORM_CHECK, SignedFormUpload
from ..forms.patients import EnrolForm, RemoveForm, SearchForm
from ..models.patient import ConsentKind, ConsentStatus
from ..queries import (
    access_history,
    find_duplicates,
    find_patient_for_user,
    get_centre_for_user,
    get_patient_for_user,
    hp_centre_ids,
    list_centres_for_user,
    page_of_patients,
)


@cpms_user_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    """The user's centres: straight to the only one."""
    if not hp_centre_ids(access_for(request)):
        raise Http404
    centres = list_centres_for_user(request)
    if len(centres) == 1:
        return redirect("patients:centre-patient-list", centre=centres[0].pk)
    return render(request, "patients/patient_list.html", {"centres": centres})


@cpms_user_required
@require_GET
def centre_patient_list(request: HttpRequest, centre: int) -> HttpResponse:
    centre_node = get_centre_for_user(request, centre)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = page_of_patients(
        centre_node, query=query, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    # The patient's URL is this prefix and the pseudonym: one reverse() per page, not one per row.
    detail_prefix = reverse("patients:patient-detail", args=["-"]).removesuffix("-/")
    context = {
        "centre": centre_node,
        "form": form,
        "query": query,
        "page": page,
        "detail_prefix": detail_prefix,
    }
    return render(request, "patients/centre_patient_list.html", context)


def enrolment_consents(data: dict) -> dict[str, str]:
    return {
        ConsentKind.CARE: ConsentStatus.GIVEN,
        ConsentKind.REGISTRIES: data["registries_consent"],
        ConsentKind.RESEARCH_CONTACT: data["research_contact_consent"],
    }


@cpms_user_required
@require_http_methods(["GET", "POST"])
def patient_enrol(request: HttpRequest, centre: int) -> HttpResponse:
    centre_node = get_centre_for_user(request, centre)
    if centre_node.is_guest:
        raise Http404
    form = EnrolForm(request.POST or None)
    upload = SignedFormUpload(request.POST or None, request.FILES or None)
    duplicates = []
    if request.method == "POST" and form.is_valid() & upload.is_valid():
        data = form.cleaned_data
        duplicates = find_duplicates(
            centre_id=centre_node.pk,
            hospital_number=data["hospital_number"],
            given_names=data["given_names"],
            family_name=data["family_name"],
            birth_date=data["birth_date"].isoformat(),
        )
        if not duplicates or data["confirm_duplicate"]:
            return enrol(request, centre_node, data, upload.cleaned_data["consent_form"])
        form.data = form.data.copy()
        form.data["confirm_duplicate"] = "on"  # a second press of "Enrol" means "a new patient anyway"
    context = {
        "centre": centre_node,
        "form": form,
        "upload": upload,
        "duplicates": duplicates,
        "max_upload_bytes": SIGNED_FORM_CHECK.max_bytes,
    }
    return render(request, "patients/patient_enrol.html", context)


def enrol(request, centre_node, data, consent_form) -> HttpResponse:
    identity = Identity(
        given_names=data["given_names"],
        family_name=data["family_name"],
        birth_date=data["birth_date"],
        hospital_number=data["hospital_number"],
        national_id=data["national_id"],
    )
    try:
        patient = do_enrol_patient(
            acting_user=request.user,
            centre=centre_node,
            identity=identity,
            sex_at_birth=data["sex_at_birth"],
            country_of_residence=data["country_of_residence"],
            vital_status=data["vital_status"],
            consents=enrolment_consents(data),
            consent_date=data["consent_date"],
            consent_form=consent_form,
        )
    except PermissionDenied:  # the grant ended since the page was read
        raise Http404 from None
    messages.success(request, _("Patient enrolled: %(pseudonym)s.") % {"pseudonym": patient.pseudonym})
    return redirect("patients:patient-detail", pseudonym=patient.pseudonym)


@cpms_user_required
@require_GET
def patient_detail(request: HttpRequest, pseudonym: str) -> HttpResponse:
    patient = get_patient_for_user(request, pseudonym)
    context = {"patient": patient, "centre": patient.centre, "consents": consent_summary(patient)}
    return render(request, "patients/patient_detail.html", context)


def consent_summary(patient) -> list[tuple[str, str, str]]:
    """(consent label, status value, status label) of the three consents in force."""
    return [
        (kind.label, getattr(patient, name), ConsentStatus(getattr(patient, name)).label)
        for kind, name in CONSENT_FIELDS.items()
    ]


@cpms_user_required
@require_GET
def patient_history(request: HttpRequest, pseudonym: str) -> HttpResponse:
    patient = get_patient_for_user(request, pseudonym)
    context = {"patient": patient, "centre": patient.centre, "history": access_history(patient)}
    return render(request, "patients/patient_history.html", context)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def patient_remove(request: HttpRequest, pseudonym: str) -> HttpResponse:
    patient = find_patient_for_user(request, pseudonym)
    form = RemoveForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            do_remove_patient(acting_user=request.user, patient=patient)
        except PermissionDenied:
            raise Http404 from None
        messages.success(
            request,
            _("%(pseudonym)s was removed: the identifying data and the forms are erased.")
            % {"pseudonym": patient.pseudonym},
        )
        return redirect(reverse("patients:centre-patient-list", kwargs={"centre": patient.centre_id}))
    return render(
        request, "patients/patient_remove.html", {"patient": patient, "centre": patient.centre, "form": form}
    )
