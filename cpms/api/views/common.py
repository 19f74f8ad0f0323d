"""What the API's views share: the documented errors and parameters, cursors, filters, the forms'
errors as a 400, and the answer to a path that matches no route."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.renderers import JSONRenderer

from cpms.patients.models.patient import ConsentStatus

from .. import serializers as s
from ..errors import PROBLEM
from ..pagination import page_size


def problems(*codes: int) -> dict:
    """The error responses of a route, documented as problem details (RFC 9457)."""
    return {
        (code, PROBLEM): OpenApiResponse(s.ProblemSerializer, description="Problem details.")
        for code in codes
    }


ERRORS = problems(401, 403, 404, 429)
CURSORS = [
    OpenApiParameter("after", str, description="The cursor of `next`: the page after it."),
    OpenApiParameter("before", str, description="The cursor of `previous`: the page before it."),
    OpenApiParameter("size", int, description="Rows per page (1–100, 25 by default)."),
]
CONSENT_FILTERS = [
    OpenApiParameter(
        name, str, enum=ConsentStatus.values, description=f"Only patients with this {name} status."
    )
    for name in ("care_consent", "registries_consent", "research_contact_consent")
]
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the panel you read."
)
IF_MATCH_PATIENT = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the patient you read."
)
IF_MATCH_CASE = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the case you read."
)
IF_MATCH_OUTCOME = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the outcome you read."
)


class FhirJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"


def cursor(request) -> dict:
    params = request.query_params
    return {"after": params.get("after", ""), "before": params.get("before", ""), "size": page_size(request)}


def choice(request, name: str, values) -> str:
    value = request.query_params.get(name, "")
    if value and value not in values:
        raise exceptions.ValidationError(
            {name: [_("Not one of: %(values)s.") % {"values": ", ".join(values)}]}
        )
    return value


def field_errors(form) -> exceptions.ValidationError:
    """The page form's errors as the API's 400 (problem details with the fields' messages)."""
    return exceptions.ValidationError(
        {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    )


WRITE_ERRORS = {**ERRORS, **problems(409, 412, 428)}


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request, path: str):
    """Any other path under /api/ (an unknown route, `/panels/-1/`): a problem document like every other
    API error, not the site's HTML page; after the same gate, so an anonymous caller still gets 401."""
    raise exceptions.NotFound()
