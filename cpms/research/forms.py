"""The query builder's form (GET: a query is a link one can save, share or run again) and the
saved query's name. Every parameter is checked: a wrong one is a form error, never a 500."""

import functools
import re

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cpms.coding.models import System
from cpms.coding.queries import get_concept
from cpms.identity.forms import COUNTRIES
from cpms.lib.forms import StyledFormMixin
from cpms.patients.models.patient import Sex

from .models import OTHER_COUNTRY, AgeBand

MIN_YEAR, MAX_YEAR = 1900, 2200
GENE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")

# The dimensions a result can be cut by: name → (label, the research case's field).
DIMENSIONS = {
    "sex": (_("Sex"), "sex"),
    "age_band": (_("Age band at entry"), "age_band"),
    "country": (_("Country of the centre"), "country"),
    "year": (_("Year of entry"), "entry_year"),
    "birth_decade": (_("Decade of birth"), "birth_decade"),
    "onset": (_("Onset"), "onset"),
}
PARAMETERS = (
    "diagnosis",
    "phenotype",
    "gene",
    "sex",
    "age_band",
    "country",
    "year_from",
    "year_to",
    "rows",
    "columns",
)


class Select(forms.Select):
    """Django's select, its options written here rather than by a template each: the same HTML (the
    options' values and labels escaped), without the template engine's ~0.3 ms per option, which made
    the country list most of the time the query form took."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


def country_choices():
    return [
        ("", _("Any country")),
        *countries_by_name(get_language()),
        (OTHER_COUNTRY, _("Other countries (grouped)")),
    ]


@functools.cache
def countries_by_name(language: str | None) -> tuple[tuple[str, str], ...]:
    """The countries sorted by their name in the language, translated once per language (not on
    every form: each lazy name is translated again whenever it is read)."""
    return tuple(sorted(((code, str(name)) for code, name in COUNTRIES.items()), key=lambda item: item[1]))


class QueryForm(StyledFormMixin, forms.Form):
    diagnosis = forms.CharField(
        label=_("Diagnosis (ORPHA or ICD-10 code)"),
        required=False,
        max_length=20,
        help_text=_("For example ORPHA:33069 or G40; an ICD-10 category counts its subcategories."),
    )
    phenotype = forms.CharField(
        label=_("Phenotypic feature (HPO code)"),
        required=False,
        max_length=20,
        help_text=_("For example HP:0001250; its more specific terms count too."),
    )
    gene = forms.CharField(label=_("Gene"), required=False, max_length=40, help_text=_("For example SCN1A."))
    sex = forms.ChoiceField(
        widget=Select, label=_("Sex"), required=False, choices=[("", _("Any sex")), *Sex.choices]
    )
    age_band = forms.ChoiceField(
        widget=Select,
        label=_("Age band at entry"),
        required=False,
        choices=[("", _("Any age")), *AgeBand.choices],
    )
    country = forms.ChoiceField(
        widget=Select, label=_("Country of the centre"), required=False, choices=country_choices
    )
    year_from = forms.IntegerField(
        label=_("Entered from (year)"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    year_to = forms.IntegerField(
        label=_("Entered until (year)"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    rows = forms.ChoiceField(
        widget=Select,
        label=_("Rows"),
        required=False,
        choices=[("", _("No breakdown: one count")), *((k, v[0]) for k, v in DIMENSIONS.items())],
    )
    columns = forms.ChoiceField(
        widget=Select,
        label=_("Columns"),
        required=False,
        choices=[("", _("No second dimension")), *((k, v[0]) for k, v in DIMENSIONS.items())],
    )

    def clean_diagnosis(self):
        code = self.cleaned_data["diagnosis"].strip()
        if not code:
            return None
        upper = code.upper()
        if upper.startswith("ORPHA:") and upper[6:].isdigit():
            concept = get_concept(System.ORPHA, "ORPHA:" + upper[6:])
        elif ICD10.match(upper):
            concept = get_concept(System.ICD10, upper)
        else:
            concept = None
        if concept is None:
            raise forms.ValidationError(
                _("Enter an ORPHA code (ORPHA:558) or an ICD-10 code (G40.3) we know.")
            )
        return concept

    def clean_phenotype(self):
        code = self.cleaned_data["phenotype"].strip().upper()
        if not code:
            return None
        concept = get_concept(System.HPO, code) if re.fullmatch(r"HP:[0-9]{7}", code) else None
        if concept is None:
            raise forms.ValidationError(_("Enter an HPO code we know, such as HP:0001250."))
        return concept

    def clean_gene(self):
        symbol = self.cleaned_data["gene"].strip()
        if symbol and not GENE.match(symbol):
            raise forms.ValidationError(_("Enter a gene symbol: letters, digits and hyphens, such as SCN1A."))
        return symbol.upper()

    def clean(self):
        data = super().clean()
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from and year_to and year_from > year_to:
            self.add_error("year_to", _("The last year must not come before the first one."))
        rows, columns = data.get("rows"), data.get("columns")
        if columns and not rows:
            self.add_error("columns", _("Choose the rows first, then the columns."))
        elif columns and columns == rows:
            self.add_error("columns", _("Choose two different dimensions for the rows and the columns."))
        return data

    def parameters(self) -> dict[str, str]:
        """The query as plain strings (what is audited, saved and put in links), empty ones left out."""
        values = {}
        for name in PARAMETERS:
            value = self.cleaned_data.get(name)
            if name in ("diagnosis", "phenotype") and value is not None:
                value = value.code
            if value not in (None, ""):
                values[name] = str(value)
        return values


class SaveQueryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the query"), max_length=100)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name or not name.isprintable():
            raise forms.ValidationError(_("Enter a name of printable characters."))
        return name
