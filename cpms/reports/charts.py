"""The KPI page's charts: each one a table (caption, column headings, rows) and the same figures as
the JSON that static/reports/charts.js gives Chart.js (read from a json_script element: no inline
script under the CSP)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .kpis import TOP_ROWS, Kpis, Row


@dataclass
class Chart:
    slug: str
    title: str
    caption: str
    columns: list[str]  # the first names the rows' labels
    rows: list[Row]
    charted: tuple[int, ...] = (0,)  # which value columns are drawn
    horizontal: bool = False
    drawn: bool = True  # False: a table only
    more: int = 0  # rows not shown (the report files have them all)

    @property
    def element_id(self) -> str:
        return f"chart-{self.slug}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.slug}-data"

    @property
    def data(self) -> dict:
        return {
            "type": "bar",
            "horizontal": self.horizontal,
            "labels": [row.label for row in self.rows],
            "datasets": [
                {"label": self.columns[index + 1], "data": [row.values[index] or 0 for row in self.rows]}
                for index in self.charted
            ],
        }


def charts_of(kpis: Kpis, top: int | None = TOP_ROWS) -> list[Chart]:
    """The page's charts (members and ORPHA codes: the first `top`); top=None: every row (the PDF)."""
    members, codes = kpis.by_member[:top], kpis.orpha_codes[:top]
    return [
        Chart(
            "monthly",
            _("Panels per month"),
            _("Panels requested, opened and closed per month"),
            [_("Month"), _("Requested"), _("Opened"), _("Closed")],
            kpis.monthly,
            charted=(0, 1, 2),
        ),
        Chart(
            "time-to-outcome",
            _("Time from request to outcome"),
            _("Days from the request to the signed outcome, for the outcomes signed in the period"),
            [_("Urgency"), _("Outcomes signed"), _("Median (days)"), _("90th percentile (days)")],
            kpis.time_to_outcome,
            charted=(1, 2),
        ),
        Chart(
            "centres",
            _("Panels per centre"),
            _("Panels requested in the period, per requesting centre"),
            [_("Centre"), _("Panels")],
            kpis.by_centre,
            horizontal=True,
        ),
        Chart(
            "countries",
            _("Panels per country"),
            _("Panels requested in the period, per country of the requesting centre"),
            [_("Country"), _("Panels")],
            kpis.by_country,
            horizontal=True,
        ),
        Chart(
            "areas",
            _("Panels per thematic area"),
            _("Panels requested in the period, per thematic area"),
            [_("Thematic area"), _("Panels")],
            kpis.by_area,
            horizontal=True,
        ),
        Chart(
            "members",
            _("Contributions per member"),
            _("Contributions written in the period, per member, the most first"),
            [_("Member"), _("Contributions")],
            members,
            drawn=False,
            more=len(kpis.by_member) - len(members),
        ),
        Chart(
            "orpha",
            _("ORPHA codes used"),
            _("ORPHA codes of the cases of the panels requested in the period, with the number of patients"),
            [_("ORPHA code"), _("Patients")],
            codes,
            drawn=False,
            more=len(kpis.orpha_codes) - len(codes),
        ),
    ]
