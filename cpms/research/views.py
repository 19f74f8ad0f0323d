"""The researchers' pages: their ERNs and saved queries, the query builder with its result, the
CSV export, saving and deleting a query. Only researchers in force for the ERN; 404 otherwise."""

import csv
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cpms.access.queries.scopes import access_for
from cpms.clinical.decorators import cpms_user_required

from .actions import do_delete_saved_query, do_save_research_query
from .forms import QueryForm, SaveQueryForm
from .queries import (
    get_ern_for_researcher,
    get_saved_query_for_user,
    list_researcher_erns,
    list_saved_queries,
    researcher_ern_ids,
    run_research_query,
)

SUPPRESSION_MARK = "*"


@cpms_user_required
@require_safe
def research_home(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    ern_ids = researcher_ern_ids(access)
    if not ern_ids:
        raise Http404
    saved_queries = [
        (saved, query_url(saved.ern_id, saved.parameters))
        for saved in list_saved_queries(request.user, ern_ids)
    ]
    context = {
        "erns": list_researcher_erns(access),
        "saved_queries": saved_queries,
        "threshold": settings.RESEARCH_SUPPRESSION_THRESHOLD,
    }
    return render(request, "research/research_home.html", context)


def query_url(ern_id: int, parameters: dict) -> str:
    return reverse("research:research-query", args=[ern_id]) + "?" + urlencode({**parameters, "run": "1"})


@cpms_user_required
@require_safe
def research_query(request: HttpRequest, ern_id: int) -> HttpResponse:
    ern = get_ern_for_researcher(access_for(request), ern_id)
    context = {"ern": ern, "form": QueryForm(), "result": None, "mark": SUPPRESSION_MARK}
    if "run" not in request.GET:
        return render(request, "research/research_query.html", context)
    form = QueryForm(request.GET)
    context["form"] = form
    if not form.is_valid():
        return render(request, "research/research_query.html", context, status=400)
    parameters = form.parameters()
    context.update(
        result=run_research_query(user=request.user, ern=ern, data=form.cleaned_data, parameters=parameters),
        parameters=parameters,
        export_url=reverse("research:research-export", args=[ern.pk])
        + "?"
        + urlencode({**parameters, "run": "1"}),
        save_form=SaveQueryForm(),
    )
    return render(request, "research/research_query.html", context)


@cpms_user_required
@require_safe
def research_export(request: HttpRequest, ern_id: int) -> HttpResponse:
    ern = get_ern_for_researcher(access_for(request), ern_id)
    form = QueryForm(request.GET)
    if not form.is_valid():
        context = {"ern": ern, "form": form, "result": None, "mark": SUPPRESSION_MARK}
        return render(request, "research/research_query.html", context, status=400)
    parameters = form.parameters()
    result = run_research_query(
        user=request.user, ern=ern, data=form.cleaned_data, parameters=parameters, exported=True
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="research-{ern.code.lower()}.csv"'
    writer = csv.writer(response)
    writer.writerow([f"{name}={value}" for name, value in parameters.items()] or [_("All cases")])
    writer.writerow(
        [
            _("Cells marked %(mark)s are suppressed (threshold %(k)s).")
            % {"mark": SUPPRESSION_MARK, "k": result.threshold}
        ]
    )

    def shown(value):
        return SUPPRESSION_MARK if value is None else value

    if result.table is None:
        writer.writerow([_("Cases")])
        writer.writerow([shown(result.count)])
        return response
    row_label = result.row_title
    columns = [str(label) for label in result.column_labels] or [_("Cases")]
    writer.writerow([row_label, *columns, _("Total")] if result.columns else [row_label, *columns])
    for label, cells, total in result.row_items():
        writer.writerow([label, *map(shown, cells), *([shown(total)] if result.columns else [])])
    footer = [_("Total"), *map(shown, result.table.column_totals)]
    writer.writerow([*footer, shown(result.table.total)] if result.columns else footer)
    return response


@cpms_user_required
@require_POST
def research_save(request: HttpRequest, ern_id: int) -> HttpResponse:
    ern = get_ern_for_researcher(access_for(request), ern_id)
    form, save_form = QueryForm(request.POST), SaveQueryForm(request.POST)
    if not (form.is_valid() and save_form.is_valid()):
        context = {"ern": ern, "form": form, "save_form": save_form, "result": None, "mark": SUPPRESSION_MARK}
        if form.is_valid():
            messages.error(request, _("Please give the query a name to save it."))
        return render(request, "research/research_query.html", context, status=400)
    parameters = form.parameters()
    do_save_research_query(
        acting_user=request.user, ern=ern, name=save_form.cleaned_data["name"], parameters=parameters
    )
    messages.success(request, _("Query saved: find it on the Research page."))
    return redirect(query_url(ern.pk, parameters))


@cpms_user_required
@require_POST
def saved_query_delete(request: HttpRequest, saved_id: int) -> HttpResponse:
    saved = get_saved_query_for_user(request.user, access_for(request), saved_id)
    do_delete_saved_query(acting_user=request.user, saved=saved)
    messages.success(request, _("Saved query deleted."))
    return redirect("research:research-home")
