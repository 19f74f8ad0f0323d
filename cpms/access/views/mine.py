"""My requests (with Withdraw) and My access (the user's grants)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..actions.requests import do_withdraw_access_request
from ..queries.requests import get_my_request, list_my_active_grants, list_my_ended_grants, list_my_requests
from .wizard import render_desk

PAGE_SIZE = 25


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    page = Paginator(list_my_requests(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_desk(request, "access/my_requests.html", {"page": page}, section="my-requests")


@login_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_my_request(request.user, pk)
    try:
        do_withdraw_access_request(acting_user=request.user, access_request=access_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("access:my-requests")
    messages.success(
        request,
        _("Your request for the %(profile)s profile at %(organisation)s was withdrawn.")
        % {"profile": access_request.profile.display_name, "organisation": access_request.organisation.label},
    )
    return redirect("access:my-requests")


@login_required
@require_GET
def my_access(request: HttpRequest) -> HttpResponse:
    context = {
        "active_grants": list(list_my_active_grants(request.user)),
        "ended_grants": list(list_my_ended_grants(request.user)[:50]),
    }
    return render_desk(request, "access/my_access.html", context, section="my-access")
