"""The panel dashboards: mine, an ERN's (its coordinators and dispatchers), a centre's (its HPs)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from cpms.clinical.decorators import cpms_user_required

from ..queries.dashboards import ern_dashboard as read_ern_dashboard
from ..queries.dashboards import get_ern_for_triager, page_of_centre_panels
from ..queries.dashboards import my_panels as read_my_panels


def optional_url(name: str) -> str:
    """A page another part of panels adds (the requests queue): "" until it exists, never a dead link."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@cpms_user_required
@require_GET
def my_panels(request: HttpRequest) -> HttpResponse:
    context = {"mine": read_my_panels(request), "queue_url": optional_url("panels:request-queue")}
    return render(request, "panels/my_panels.html", context)


@cpms_user_required
@require_GET
def ern_dashboard(request: HttpRequest, ern: int) -> HttpResponse:
    ern_node = get_ern_for_triager(request, ern)
    context = {
        "ern": ern_node,
        "dashboard": read_ern_dashboard(ern_node),
        "queue_url": optional_url("panels:request-queue"),
    }
    return render(request, "panels/ern_dashboard.html", context)


@cpms_user_required
@require_GET
def centre_panels(request: HttpRequest, centre: int) -> HttpResponse:
    centre_node, page = page_of_centre_panels(
        request, centre, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    return render(request, "panels/centre_panels.html", {"centre": centre_node, "page": page})
