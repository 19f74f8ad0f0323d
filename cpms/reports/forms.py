"""The filters of the KPI page (period, centre, thematic area) and the request for a report file."""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin

from .kpis import Filters, Period, default_period
from .models import ReportFormat

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 120  # ten years: the page stays bounded
FIRST_YEAR, LAST_YEAR = 2000, 2100


class MonthField(forms.Field):
    """A month as the browser's month input sends it: "2026-03"; the 1st of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-03.")}

    def to_python(self, value):
        value = str(value or "").strip()[:8]
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not (1 <= int(match[2]) <= 12) or not (FIRST_YEAR <= int(match[1]) <= LAST_YEAR):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(int(match[1]), int(match[2]), 1)

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value


class KpiFilterForm(StyledFormMixin, forms.Form):
    """Bound to the query string; an empty field takes its default (the last twelve months, everything)."""

    from_month = MonthField(label=_("From (month)"), required=False)
    to_month = MonthField(label=_("To (month)"), required=False)
    centre = forms.TypedChoiceField(label=_("Centre"), required=False, coerce=int, empty_value=None)
    thematic_area = forms.TypedChoiceField(
        label=_("Thematic area"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data, *, ern, centres, areas):
        super().__init__(data)
        self.ern = ern
        self.centres = {centre.pk: centre for centre in centres}
        self.areas = {area.pk: area for area in areas}
        self.fields["centre"].choices = [("", _("All centres"))] + [(c.pk, c.label) for c in centres]
        self.fields["thematic_area"].choices = [("", _("All thematic areas"))] + [
            (a.pk, a.display_name) for a in areas
        ]

    def clean(self):
        data = super().clean()
        default = default_period()
        first = data.get("from_month") or (None if "from_month" in self.errors else default.first)
        last = data.get("to_month") or (None if "to_month" in self.errors else default.last)
        if first and last:
            if first > last:
                self.add_error("to_month", _("The last month must not be before the first one."))
            elif len(Period(first, last).months) > MAX_MONTHS:
                self.add_error("to_month", _("Choose a period of at most ten years."))
            else:
                data["period"] = Period(first, last)
        return data

    def filters(self) -> Filters:
        """The valid filters (call after is_valid())."""
        data = self.cleaned_data
        return Filters(
            ern=self.ern,
            period=data["period"],
            centre=self.centres.get(data.get("centre")),
            thematic_area=self.areas.get(data.get("thematic_area")),
        )


class ReportRequestForm(KpiFilterForm):
    """The same filters, and the file format."""

    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF)
