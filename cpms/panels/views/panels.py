"""One panel's overview: what is asked, of whom, where it stands."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cpms.clinical.decorators import cpms_user_required

from ..queries import get_panel_for_user


@cpms_user_required
@require_GET
def panel_detail(request: HttpRequest, panel: int) -> HttpResponse:
    found = get_panel_for_user(request, panel)
    return render(request, "panels/panel_detail.html", {"access": found, "panel": found.panel})
