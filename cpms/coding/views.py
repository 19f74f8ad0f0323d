"""The terminology endpoints the case form calls as the user types: search, HGVS check, gene check.

coding sits below identity and clinical in the layers, so it cannot name the CPMS gate: config/urls.py
wraps every view of cpms.coding.urls in `cpms_user_required` (signed in, two factors, a CPMS grant).
`login_required` here is only a second lock, for a URL module included without the gate.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import queries
from .variants import hgvs_problem

SUGGESTIONS = 10
MAX_INPUT = 200


def _typed(request: HttpRequest, default: str = "q") -> str:
    """What the user typed: the parameter named like the field htmx says triggered the request, else `q`."""
    name = request.headers.get("HX-Trigger-Name") or default
    return request.GET.get(name, request.GET.get(default, ""))[:MAX_INPUT]


@require_GET
@login_required
def concept_search(request: HttpRequest) -> HttpResponse:
    systems = queries.SEARCH_SYSTEMS.get(request.GET.get("system", ""))
    if systems is None:
        return HttpResponseBadRequest(_("Choose a terminology: hpo, orpha, icd10 or diagnosis."))
    matches = queries.search_concepts(_typed(request), systems=systems, limit=SUGGESTIONS)
    if request.GET.get("format") == "json":
        return JsonResponse({"count": len(matches), "results": [m.as_dict() for m in matches]})
    return render(request, "coding/concept_search.html", {"matches": matches})


@require_GET
@login_required
def hgvs_check(request: HttpRequest) -> HttpResponse:
    description = _typed(request)
    problem = hgvs_problem(description) if description.strip() else None
    return render(request, "coding/hgvs_check.html", {"problem": problem, "description": description.strip()})


@require_GET
@login_required
def gene_check(request: HttpRequest) -> HttpResponse:
    symbol = _typed(request).strip()
    known = queries.gene_is_known(symbol) if symbol else None
    return render(request, "coding/gene_check.html", {"symbol": symbol, "known": known})
