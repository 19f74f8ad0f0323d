"""Errors as problem details (RFC 9457, `application/problem+json`), whatever went wrong.

DRF's own handler decides the status (404 for Http404, 403 for PermissionDenied, 400 for a
validation error…); this one reshapes the body: `type`, `title`, `status`, `detail`, and for a 400
the fields' messages in `errors`. A refusal of a panel's state (PanelActionRefused) is a 409.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from cpms.panels.actions import PanelActionRefused

PROBLEM = "application/problem+json"
TITLES = {
    400: _("The request is invalid"),
    401: _("Authentication required"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("Unprocessable content"),
    428: _("Precondition required"),
    429: _("Too many requests"),
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The resource changed since you read it: read it again (its new ETag), then retry.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the ETag you read in an If-Match header: updates are conditional.")
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The resource's state does not allow this now.")
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = 422
    default_detail = _("The resource cannot be produced.")
    default_code = "unprocessable"

    def __init__(self, detail=None, code=None, errors=None):
        super().__init__(detail, code)
        self.errors = errors or []


def problem(status_code: int, detail, *, code: str = "", errors=None) -> dict:
    body = {
        "type": "about:blank",
        "title": str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail),
    }
    if code:
        body["code"] = code
    if errors is not None:
        body["errors"] = errors
    return body


def problem_handler(exc, context):
    if isinstance(exc, PanelActionRefused):
        exc = Conflict(exc.message)
    response = exception_handler(exc, context)
    if response is None:
        return None
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        detail = _("Some fields are invalid: see `errors`.")
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        code = "invalid"
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail if not isinstance(exc.detail, list | dict) else exc.default_detail
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    else:  # Http404, django's PermissionDenied
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = "not_found" if response.status_code == 404 else "permission_denied"
    if isinstance(exc, Unprocessable):
        errors = exc.errors
    response.data = problem(response.status_code, detail, code=code, errors=errors)
    response.content_type = PROBLEM
    return response
