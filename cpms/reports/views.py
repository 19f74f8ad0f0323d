"""The KPI page of an ERN, and the activity report files: asked for, followed, downloaded."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cpms.clinical.decorators import cpms_user_required

from . import charts
from .actions import do_download_report, do_request_report, do_view_kpis
from .forms import KpiFilterForm, ReportRequestForm
from .kpis import compute_kpis
from .models import ReportFormat, ReportRun
from .queries import areas_of, centres_of, chosen_ern, get_run_for_user, recent_runs, reportable_erns

CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filter_form(request, form_class, data):
    """The ERN asked for (404 when not theirs), its centres and areas, the bound filter form."""
    erns = reportable_erns(request)
    ern = chosen_ern(erns, data.get("ern"))
    centres, areas = centres_of(ern), areas_of(ern)
    return erns, ern, centres, form_class(data, ern=ern, centres=centres, areas=areas)


@cpms_user_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    erns, ern, centres, form = filter_form(request, KpiFilterForm, request.GET)
    context = {"erns": erns, "ern": ern, "form": form, "formats": ReportFormat.choices}
    if not form.is_valid():
        return render(request, "reports/report_list.html", context, status=400)
    filters = form.filters()
    kpis = compute_kpis(filters, [centre.pk for centre in centres])
    do_view_kpis(acting_user=request.user, filters=filters)
    context.update(kpis=kpis, charts=charts.charts_of(kpis), runs=recent_runs(request.user))
    return render(request, "reports/report_list.html", context)


@cpms_user_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    erns, ern, centres, form = filter_form(request, ReportRequestForm, request.POST)
    if not form.is_valid():
        context = {"erns": erns, "ern": ern, "form": form, "formats": ReportFormat.choices}
        return render(request, "reports/report_list.html", context, status=400)
    run = do_request_report(
        acting_user=request.user, filters=form.filters(), format=form.cleaned_data["format"]
    )
    return redirect("reports:report-detail", run.pk)


@cpms_user_required
@require_GET
def report_detail(request: HttpRequest, run: int) -> HttpResponse:
    """The run's progress; htmx asks again for the status part alone until the file is ready."""
    found = get_run_for_user(request, run)
    if request.headers.get("HX-Request") == "true":
        return render(request, "reports/_report_status.html", {"run": found})
    return render(request, "reports/report_detail.html", {"run": found})


@cpms_user_required
@require_GET
def report_download(request: HttpRequest, run: int) -> HttpResponse:
    found = get_run_for_user(request, run)
    if found.status != ReportRun.Status.DONE or not found.storage_name:
        raise Http404
    response = HttpResponse(
        do_download_report(acting_user=request.user, run=found), content_type=CONTENT_TYPES[found.format]
    )
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    response["Cache-Control"] = "no-store"
    return response
