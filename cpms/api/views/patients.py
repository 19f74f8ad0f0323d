"""Patients (HPs of the enrolling centre): the list, a patient, its consents, its case and exports."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.renderers import JSONRenderer

from cpms.patients.actions.consents import do_record_consent
from cpms.patients.actions.exchange import FHIR, PHENOPACKET, do_export_case
from cpms.patients.exchange.validation import ExportInvalid
from cpms.patients.forms.consents import ConsentForm
from cpms.patients.models import Patient
from cpms.patients.models.patient import ConsentStatus
from cpms.patients.queries import find_patient_for_user, get_patient_for_user
from cpms.patients.queries_case import case_with_rows, get_case_for_user

from .. import case_changes, queries
from .. import serializers as s
from ..errors import Unprocessable
from ..etags import detail_response, require_if_match
from ..pagination import page_response, paginated
from .common import (
    CONSENT_FILTERS,
    CURSORS,
    ERRORS,
    IF_MATCH_CASE,
    IF_MATCH_PATIENT,
    FhirJSONRenderer,
    choice,
    cursor,
    field_errors,
    problems,
)


@extend_schema(
    tags=["patients"],
    operation_id="patients_list",
    summary="Your centres' patients",
    parameters=[
        OpenApiParameter("centre", int, description="Only this one of your centres."),
        *CONSENT_FILTERS,
        *CURSORS,
    ],
    responses={200: paginated(s.PatientSerializer), **ERRORS, **problems(400)},
)
@api_view(["GET"])
def patient_list(request):
    centre = request.query_params.get("centre", "")
    if centre and not (centre.isdigit() and len(centre) < 19):
        raise exceptions.ValidationError({"centre": [_("A centre's id: a whole number.")]})
    consents = {name: choice(request, name, ConsentStatus.values) for name in queries.CONSENTS}
    page = queries.list_patients(
        request, centre_id=int(centre) if centre else None, consents=consents, **cursor(request)
    )
    return page_response(request, page, s.PatientSerializer(page.rows, many=True).data)


@extend_schema(
    tags=["patients"],
    summary="A patient, with the identity",
    responses={200: s.PatientDetailSerializer, 304: None, **ERRORS},
)
@api_view(["GET"])
def patient_detail(request, pseudonym: str):
    patient = get_patient_for_user(request, pseudonym)
    return detail_response(request, s.PatientDetailSerializer(patient).data)


@extend_schema(
    tags=["patients"],
    summary="Record a consent of the patient (HPs of the enrolling centre): given, refused or withdrawn",
    description="In force at once: a withdrawn consent for care stops new requests for assistance.",
    parameters=[IF_MATCH_PATIENT],
    request=s.ConsentRecordSerializer,
    responses={200: s.PatientDetailSerializer, **ERRORS, **problems(400, 412, 415, 428)},
)
@api_view(["POST"])
def consent_record(request, pseudonym: str):
    patient = find_patient_for_user(request, pseudonym)  # the recording is the audited write
    require_if_match(request, s.PatientDetailSerializer(patient).data)
    given = s.ConsentRecordSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    form = ConsentForm({name: str(value) for name, value in given.validated_data.items()})
    if not form.is_valid():  # the page's rules: a date not in the future
        raise field_errors(form)
    try:
        do_record_consent(acting_user=request.user, patient=patient, **form.cleaned_data)
    except (PermissionDenied, Patient.DoesNotExist):
        raise Http404 from None  # as the page: no longer an HP there, or the patient removed meanwhile
    return detail_response(request, s.PatientDetailSerializer(find_patient_for_user(request, pseudonym)).data)


def case_data(case) -> dict:
    """The case as it is read: the representation its ETag is the digest of."""
    return s.CaseSerializer(s.case_rows(case)).data


@extend_schema(
    methods=["GET"],
    tags=["patients"],
    summary="A patient's case",
    responses={200: s.CaseSerializer, 304: None, **ERRORS},
)
@extend_schema(
    methods=["PATCH"],
    tags=["patients"],
    summary="Change the case (HPs of the enrolling centre): the fields sent, checked as its pages check them",
    description=(
        "Send only the fields to change. A list of rows (`diagnoses`, `phenotypes`, `variants`) replaces "
        "that section's rows; codes must be in the loaded ORPHA, ICD-10 and HPO releases. Every section "
        "is checked before any is saved: a 400 names each field (`diagnoses.0.code` for a row) and "
        "changes nothing."
    ),
    parameters=[IF_MATCH_CASE],
    request=s.CaseChangeSerializer,
    responses={200: s.CaseSerializer, **ERRORS, **problems(400, 412, 415, 428)},
)
@api_view(["GET", "PATCH"])
def case_detail(request, pseudonym: str):
    if request.method == "GET":
        return detail_response(request, case_data(get_case_for_user(request, pseudonym)))
    patient = find_patient_for_user(request, pseudonym)  # each section saved is the audited write
    case = case_with_rows(patient)
    require_if_match(request, case_data(case))
    changes = s.CaseChangeSerializer(data=request.data)
    changes.is_valid(raise_exception=True)
    bound = case_changes.bind(case, changes.validated_data)
    if errors := case_changes.errors_of(bound):
        raise exceptions.ValidationError(errors)
    case_changes.save(request.user, patient, bound)
    return detail_response(request, case_data(case_with_rows(patient)))


def export(request, pseudonym: str, export_format: str) -> HttpResponse:
    patient = find_patient_for_user(request, pseudonym)  # the export is the audited read
    try:
        found = do_export_case(acting_user=request.user, patient=patient, export_format=export_format)
    except ExportInvalid as invalid:
        raise Unprocessable(
            _("The case cannot be exported as it is: see `errors`."), errors=invalid.problems
        ) from None
    response = HttpResponse(found.text, content_type=f"{found.content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    tags=["patients"],
    summary="A patient's case as a GA4GH Phenopacket (v2)",
    responses={(200, "application/json"): OpenApiTypes.OBJECT, **ERRORS, **problems(422)},
)
@api_view(["GET"])
def case_phenopacket(request, pseudonym: str):
    return export(request, pseudonym, PHENOPACKET)


@extend_schema(
    tags=["patients"],
    summary="A patient's case as a FHIR R4 Bundle",
    responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT, **ERRORS, **problems(422)},
)
@api_view(["GET"])
@renderer_classes([JSONRenderer, FhirJSONRenderer])
def case_fhir(request, pseudonym: str):
    return export(request, pseudonym, FHIR)
