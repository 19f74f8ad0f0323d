"""The validation desk: the queue of requests, a request's page with Approve / Reject, grants management."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.audit.queries import history_of
from cpms.identity.decorators import require_two_factors

from ..actions.validation import (
    do_approve_access_request,
    do_reject_access_request,
    do_renew_grant,
    do_revoke_grant,
)
from ..forms_validation import ApproveForm, FilterForm, QueueFilterForm, RejectForm, RevokeForm
from ..models import AccessRequest
from ..queries.scopes import access_for
from ..queries.validation import (
    PAGE_SIZE,
    dependent_grants,
    get_grant_for_manager,
    get_request_for_validator,
    grant_rows,
    list_expired_guest_grants_for_manager,
    page_of_grants_for_manager,
    page_of_requests_for_validator,
    profile_choices,
    request_rows,
    requester_context,
    validator_erns,
)

# For base_access.html: the "Validation" link, marked as the current section.
DESK = {"access_section": "validation", "is_validator": True}


def require_validator(request: HttpRequest) -> None:
    """Pages of the desk are not there for people who validate nothing."""
    if not access_for(request).is_validator:
        raise Http404


def position(request: HttpRequest) -> dict:
    """Where in a long list the page starts: after or before a row (keyset pagination)."""
    return {"after": request.GET.get("after", ""), "before": request.GET.get("before", "")}


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_two_factors
@require_GET
def validation_queue(request: HttpRequest) -> HttpResponse:
    require_validator(request)
    access = access_for(request)
    form = QueueFilterForm(request.GET, erns=validator_erns(access), profiles=profile_choices())
    form.is_valid()  # an invalid filter is shown with its error and ignored
    page = page_of_requests_for_validator(access, **form.values(), **position(request))
    context = {"form": form, "page": page, "rows": request_rows(page.rows), **DESK}
    return render(request, "access/validation_queue.html", context)


def render_detail(
    request: HttpRequest, access_request: AccessRequest, *, approve_form=None, reject_form=None, status=200
) -> HttpResponse:
    context = {
        **DESK,
        "access_request": access_request,
        "is_pending": access_request.status == AccessRequest.Status.PENDING,
        "is_own": access_request.requester_id == request.user.pk,
        "approve_form": approve_form or ApproveForm(),
        "reject_form": reject_form or RejectForm(),
        **requester_context(access_request),
        "history": history_of(access_request),
    }
    return render(request, "access/validation_detail.html", context, status=status)


@require_two_factors
@require_GET
def validation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, get_request_for_validator(access_for(request), pk))


@require_two_factors
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_request_for_validator(access_for(request), pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return render_detail(request, access_request, approve_form=form, status=400)
    try:
        do_approve_access_request(
            acting_user=request.user, access_request=access_request, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("access:validation-detail", pk=pk)
    messages.success(
        request,
        _(
            "Request approved: %(name)s now has %(profile)s access at %(organisation)s, "
            "and was told by e-mail."
        )
        % {
            "name": access_request.requester.get_full_name(),
            "profile": access_request.profile.display_name,
            "organisation": access_request.organisation.label,
        },
    )
    return redirect("access:validation-queue")


@require_two_factors
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_request_for_validator(access_for(request), pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return render_detail(request, access_request, reject_form=form, status=400)
    try:
        do_reject_access_request(
            acting_user=request.user, access_request=access_request, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("access:validation-detail", pk=pk)
    messages.success(
        request,
        _("Request rejected. %(name)s was told the reason by e-mail.")
        % {"name": access_request.requester.get_full_name()},
    )
    return redirect("access:validation-queue")


@require_two_factors
@require_GET
def grants_manage(request: HttpRequest) -> HttpResponse:
    require_validator(request)
    access = access_for(request)
    form = FilterForm(request.GET, erns=validator_erns(access), profiles=profile_choices())
    form.is_valid()
    page = page_of_grants_for_manager(access, **form.values(), **position(request))
    expired_guests = list(list_expired_guest_grants_for_manager(access)[:PAGE_SIZE])
    context = {
        "form": form,
        "page": page,
        "rows": grant_rows(page.rows, request.user.pk),
        "expired_guests": expired_guests,
        "expired_rows": grant_rows(expired_guests, request.user.pk),
        **DESK,
    }
    return render(request, "access/grants_manage.html", context)


@require_two_factors
@require_http_methods(["GET", "POST"])
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_manager(access_for(request), pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_revoke_grant(acting_user=request.user, grant=grant, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("access:grants-manage")
        messages.success(
            request,
            _(
                "Access revoked: %(name)s lost %(profile)s at %(organisation)s at once, "
                "and was told by e-mail."
            )
            % {
                "name": grant.user.get_full_name(),
                "profile": grant.profile.display_name,
                "organisation": grant.organisation.label,
            },
        )
        return redirect("access:grants-manage")
    return render(
        request,
        "access/grant_revoke.html",
        {"grant": grant, "form": form, "dependent_grants": dependent_grants(grant), **DESK},
        status=400 if form.is_bound else 200,
    )


@require_two_factors
@require_POST
def grant_renew(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_manager(access_for(request), pk)
    try:
        grant = do_renew_grant(acting_user=request.user, grant=grant)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("access:grants-manage")
    messages.success(
        request,
        _("Guest access of %(name)s renewed until %(date)s.")
        % {
            "name": grant.user.get_full_name(),
            "date": date_format(localtime(grant.expires_at), "DATE_FORMAT"),
        },
    )
    return redirect("access:grants-manage")
