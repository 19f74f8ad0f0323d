"""The activity report as files: CSV and XLSX (one row per figure) and PDF (WeasyPrint from a template).

The rows are the KPIs' own (kpis.py): counts, durations and labels of centres, countries, thematic
areas, members and ORPHA codes; no patient is named, not even by pseudonym.
"""

import csv
import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .kpis import Kpis, month_label

COLUMNS = ("section", "item", "measure", "value")


def summary_rows(kpis: Kpis) -> list[tuple[str, str]]:
    """(label, value) of the single figures, as the page's summary shows them."""
    share = kpis.closed_with_two_share
    per_member = kpis.contributions_per_member
    return [
        (_("Active users"), kpis.active_users),
        (_("Patients enrolled in the period"), kpis.patients_enrolled),
        (_("Patients enrolled in all"), kpis.patients_in_all),
        (_("Panels requested"), kpis.requested),
        (_("Panels opened"), kpis.opened),
        (_("Panels closed"), kpis.closed),
        (_("Closed panels with two contributions or more (%)"), "" if share is None else share),
        (_("Contributions"), kpis.contributions),
        (_("Contributions per member"), "" if per_member is None else per_member),
        (_("Panels past their wished answer date"), kpis.past_wished_date),
        (_("Outcomes signed after the wished answer date"), kpis.answered_late),
    ]


def rows_of(kpis: Kpis):
    """Every figure as (section, item, measure, value): the CSV's and the XLSX's rows."""
    for label, value in summary_rows(kpis):
        yield ("summary", label, "", value)
    for row in kpis.monthly:
        for measure, value in zip(("requested", "opened", "closed"), row.values, strict=True):
            yield ("panels_per_month", row.label, measure, value)
    for row in kpis.time_to_outcome:
        for measure, value in zip(("outcomes", "median_days", "p90_days"), row.values, strict=True):
            yield ("time_to_outcome", row.label, measure, "" if value is None else value)
    for section, rows, measure in (
        ("panels_per_centre", kpis.by_centre, "panels"),
        ("panels_per_country", kpis.by_country, "panels"),
        ("panels_per_thematic_area", kpis.by_area, "panels"),
        ("contributions_per_member", kpis.by_member, "contributions"),
        ("orpha_codes", kpis.orpha_codes, "patients"),
    ):
        for row in rows:
            yield (section, row.label, measure, row.value)


def period_text(kpis: Kpis) -> str:
    period = kpis.filters.period
    return f"{month_label(period.first)} – {month_label(period.last)}"


def render_csv(kpis: Kpis) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows_of(kpis))
    return out.getvalue().encode("utf-8-sig")  # the BOM: spreadsheets read the accents right


def render_xlsx(kpis: Kpis) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(_("Activity"))
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    for number, row in enumerate(rows_of(kpis), start=1):
        sheet.write_row(number, 0, row)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 48)
    workbook.close()
    return out.getvalue()


def render_pdf(kpis: Kpis, language: str) -> bytes:
    from weasyprint import HTML  # a heavy import, for this step only

    from .charts import charts_of

    context = {
        "kpis": kpis,
        "summary": summary_rows(kpis),
        "tables": charts_of(kpis, top=None),
        "period": period_text(kpis),
        "language": language,
    }
    html = render_to_string("reports/report_pdf.html", context)
    return HTML(string=html).write_pdf()
