"""The sections of the case (the consultation form), each a form of its own, saved on its own.

The field list follows the ERDRI common data set (the "Set of common data elements for rare diseases
registration", JRC, v1.0) and the GA4GH/RD-CDM common data model (the `rd-cdm` package's checklist):

- status and onset: ERDRI 4.1 "Age at onset", 4.2 "Age at diagnosis" (RD-CDM `Disease.onset`, age as
  ISO 8601 years), 3.1 "Date of first contact with the centre" (kept as a year, never a date: a date
  narrows down who the patient is); onset as HPO's onset terms (HP:0003674), as Phenopackets codes it;
- diagnosis: ERDRI 5.1 "Diagnosis of the rare disease" in ORPHA codes and ICD-10 (RD-CDM
  `Disease.term`), with ERDRI's "undiagnosed" case and RD-CDM's verification status
  (confirmed / provisional = suspected / refuted = excluded);
- phenotype: ERDRI 6.1 "Phenotype" in HPO (RD-CDM `PhenotypicFeature`: `excluded` and `onset`);
- genetics: ERDRI 7.1 "Genetic diagnosis" (RD-CDM `Interpretation` / `VariantInterpretation`:
  gene symbol (HGNC), HGVS expression, zygosity in GENO, ACMG/AMP 2015 class);
- clinical history, investigations, treatment: free text (RD-CDM `Procedure` and `MedicalAction`
  stay free until their codes are loaded);
- attachments: PDF, JPEG or PNG, checked by content.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpms.coding.models import Concept, System
from cpms.coding.variants import hgvs_problem
from cpms.lib.forms import FileCheck, StyledFormMixin

from ..models import Case, Patient
from ..models.case import AcmgClass, Certainty, Onset, Zygosity

MAX_ROWS = 200  # per section: more is a mistake or an attack, never a case
OLDEST_AGE = 130
EARLIEST_CONTACT_YEAR = 1900
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_CHECK = FileCheck(max_bytes=ATTACHMENT_MAX_BYTES, extensions=(".pdf", ".jpg", ".jpeg", ".png"))


def model_fields(*names: str) -> dict:
    return fields_for_model(Case, fields=list(names))


class SectionForm(StyledFormMixin, forms.Form):
    """A section made of the case's own fields: their values are the case's attributes."""

    field_names: tuple[str, ...] = ()

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    @classmethod
    def initial_of(cls, case: Case) -> dict:
        return {name: getattr(case, name) for name in cls.field_names}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.field_names}


class StatusOnsetForm(SectionForm):
    field_names = ("onset", "age_at_onset_years", "age_at_diagnosis_years", "first_contact_year")

    onset = forms.ChoiceField(
        label=_("Onset"),
        choices=[("", _("Not known"))] + Onset.choices,
        required=False,
        help_text=_("The HPO onset term: when the first signs appeared."),
    )
    age_at_onset_years = forms.IntegerField(
        label=_("Age at onset (years)"), required=False, min_value=0, max_value=OLDEST_AGE
    )
    age_at_diagnosis_years = forms.IntegerField(
        label=_("Age at diagnosis (years)"), required=False, min_value=0, max_value=OLDEST_AGE
    )
    first_contact_year = forms.IntegerField(
        label=_("Year of first contact with the centre"),
        required=False,
        min_value=EARLIEST_CONTACT_YEAR,
        help_text=_("A year, for example 2021."),
    )

    def clean_first_contact_year(self):
        year = self.cleaned_data["first_contact_year"]
        if year is not None and year > timezone.now().year:
            raise ValidationError(_("The year of first contact cannot be in the future."))
        born = self.patient.year_of_birth
        if year is not None and born and year < born:
            raise ValidationError(
                _("The year of first contact cannot be before the year of birth (%(year)s).") % {"year": born}
            )
        return year

    def clean(self):
        cleaned = super().clean()
        onset, diagnosis = cleaned.get("age_at_onset_years"), cleaned.get("age_at_diagnosis_years")
        if onset is not None and diagnosis is not None and diagnosis < onset:
            self.add_error(
                "age_at_diagnosis_years", _("The age at diagnosis cannot be below the age at onset.")
            )
        born = self.patient.year_of_birth
        age_now = timezone.now().year - born if born else None
        for name in ("age_at_onset_years", "age_at_diagnosis_years"):
            age = cleaned.get(name)
            if age is not None and age_now is not None and age > age_now + 1 and name not in self.errors:
                self.add_error(
                    name, _("The patient, born in %(year)s, has not reached this age.") % {"year": born}
                )
        return cleaned


class ClinicalHistoryForm(SectionForm):
    field_names = ("clinical_history", "family_history")

    clinical_history = model_fields("clinical_history")["clinical_history"]
    family_history = model_fields("family_history")["family_history"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinical_history"].label = _("Clinical history")
        self.fields["clinical_history"].help_text = _(
            "The course of the disease so far. No names, addresses or dates of birth: the case travels "
            "under the pseudonym."
        )
        self.fields["family_history"].label = _("Family history")


class InvestigationsForm(SectionForm):
    field_names = ("investigations",)

    investigations = model_fields("investigations")["investigations"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigations"].label = _("Investigations")
        self.fields["investigations"].help_text = _(
            "Imaging, laboratory, electrophysiology … and their results."
        )


class TreatmentForm(SectionForm):
    field_names = ("treatment",)

    treatment = model_fields("treatment")["treatment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treatment"].label = _("Treatment")
        self.fields["treatment"].help_text = _("Treatments tried, with their effect and side effects.")


# -- Rows: diagnoses, phenotypic features, variants. Each row is a form of a formset; a row is added by
# "Add another row" (the page comes back with an empty one) and removed by its "Remove" box: no JavaScript.


def normalised_code(system: str, text: str) -> str:
    """ "hp:1250" is not guessed at, but "hp:0001250", " orpha:558 " and "g40.3" are written as coded."""
    code = text.strip().upper()
    if system == System.ORPHA and code.startswith("ORPHA:"):
        return "ORPHA:" + code.removeprefix("ORPHA:").strip()
    return code


def diagnosis_system(code: str) -> str:
    return System.ORPHA if code.startswith("ORPHA:") else System.ICD10


SYSTEM_NAMES = {System.HPO: "HPO", System.ORPHA: "ORPHA", System.ICD10: "ICD-10"}


def unknown_code_message(system: str, code: str) -> str:
    return gettext("%(code)s is not in the loaded %(system)s release.") % {
        "code": code,
        "system": SYSTEM_NAMES[system],
    }


class RowForm(StyledFormMixin, forms.Form):
    pass


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


class CodedRowForm(RowForm):
    def clean(self):
        cleaned = super().clean()
        if (
            self.has_changed()
            and not cleaned.get("DELETE")
            and not cleaned.get("code")
            and "code" not in self.errors
        ):
            self.add_error("code", _("Enter a code, or tick “Remove this row”."))
        return cleaned


class CodedRowFormSet(RowFormSet):
    """Rows with a `code` field: each code is looked up in the loaded release, all in one query."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.concepts: dict[tuple[str, str], Concept] = {}

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.cleaned_data.get("code")
        ]

    def clean(self):
        if any(self.errors):
            return
        kept = self.kept_forms()
        wanted = {(form.system_of(form.cleaned_data["code"]), form.cleaned_data["code"]) for form in kept}
        by_system = Q()
        for system in {system for system, _code in wanted}:
            by_system |= Q(system=system, code__in=[code for each, code in wanted if each == system])
        found = Concept.objects.filter(by_system) if wanted else []
        self.concepts = {(concept.system, concept.code): concept for concept in found}
        seen = set()
        for form in kept:
            code = form.cleaned_data["code"]
            key = (form.system_of(code), code)
            if key not in self.concepts:
                form.add_error("code", unknown_code_message(*key))
            elif self.concepts[key].is_obsolete:
                form.add_error(
                    "code",
                    gettext(
                        "%(code)s is obsolete in the loaded %(system)s release: "
                        "choose the term that replaces it."
                    )
                    % {"code": code, "system": SYSTEM_NAMES[key[0]]},
                )
            elif key in seen:
                form.add_error("code", gettext("%(code)s is already in the list above.") % {"code": code})
            seen.add(key)

    def concept_of(self, form) -> Concept:
        code = form.cleaned_data["code"]
        return self.concepts[(form.system_of(code), code)]


class DiagnosisRowForm(CodedRowForm):
    terminology = "diagnosis"  # the combobox's search (templates/patients/_case_row.html)
    code = forms.CharField(
        label=_("ORPHA or ICD-10 code"),
        max_length=20,
        required=False,
        help_text=_("For example ORPHA:558 or G40.3. Type a name to search."),
    )
    certainty = forms.ChoiceField(
        label=_("Certainty"), choices=Certainty.choices, initial=Certainty.CONFIRMED
    )
    is_main = forms.BooleanField(label=_("Main diagnosis"), required=False)

    @staticmethod
    def system_of(code: str) -> str:
        return diagnosis_system(code)

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        return normalised_code(diagnosis_system(code), code)


class DiagnosisFormSetBase(CodedRowFormSet):
    def rows(self) -> list[dict]:
        return [
            {
                "concept": self.concept_of(form),
                "certainty": form.cleaned_data["certainty"],
                "is_main": form.cleaned_data["is_main"],
            }
            for form in self.kept_forms()
        ]


class PhenotypeRowForm(CodedRowForm):
    terminology = "hpo"
    code = forms.CharField(
        label=_("HPO term"),
        max_length=20,
        required=False,
        help_text=_("For example HP:0001250. Type a name or a synonym to search."),
    )
    excluded = forms.TypedChoiceField(
        label=_("Observed or excluded"),
        choices=[("observed", _("Observed")), ("excluded", _("Excluded (looked for and absent)"))],
        coerce=lambda value: value == "excluded",
        initial="observed",
    )
    onset = forms.ChoiceField(
        label=_("Onset"), choices=[("", _("Not known"))] + Onset.choices, required=False
    )

    @staticmethod
    def system_of(code: str) -> str:
        return System.HPO

    def clean_code(self):
        return normalised_code(System.HPO, self.cleaned_data["code"])


class PhenotypeFormSetBase(CodedRowFormSet):
    def rows(self) -> list[dict]:
        return [
            {
                "concept": self.concept_of(form),
                "excluded": form.cleaned_data["excluded"],
                "onset": form.cleaned_data["onset"],
            }
            for form in self.kept_forms()
        ]


class VariantRowForm(RowForm):
    gene_symbol = forms.CharField(
        label=_("Gene"), max_length=40, required=False, help_text=_("The HGNC symbol, for example FBN1.")
    )
    hgvs = forms.CharField(
        label=_("Variant (HGVS)"),
        max_length=500,
        required=False,
        help_text=_("For example NM_000138.5:c.1129C>T."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    # GENO allelic states and ACMG/AMP 2015 classes: the codes of Phenopackets (see models/case.py)
    zygosity = forms.ChoiceField(
        label=_("Zygosity"), choices=[("", _("Not known"))] + Zygosity.choices, required=False
    )
    acmg_class = forms.ChoiceField(
        label=_("ACMG class"), choices=[("", _("Not classified"))] + AcmgClass.choices, required=False
    )

    def clean_gene_symbol(self):
        return self.cleaned_data["gene_symbol"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        gene, hgvs = cleaned.get("gene_symbol"), (cleaned.get("hgvs") or "").strip()
        cleaned["hgvs"] = hgvs
        if not self.has_changed() or cleaned.get("DELETE"):
            return cleaned
        if not gene and "gene_symbol" not in self.errors:
            self.add_error("gene_symbol", _("Enter the gene symbol of the variant."))
        if "hgvs" not in self.errors and (problem := hgvs_problem(hgvs)):
            self.add_error("hgvs", problem)
        return cleaned


class VariantFormSetBase(RowFormSet):
    def kept_forms(self) -> list[forms.Form]:
        return [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]

    def rows(self) -> list[dict]:
        return [
            {name: form.cleaned_data[name] for name in ("gene_symbol", "hgvs", "zygosity", "acmg_class")}
            for form in self.kept_forms()
        ]


def row_formset(form, base):
    return forms.formset_factory(
        form,
        formset=base,
        extra=1,
        can_delete=True,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )


DiagnosisFormSet = row_formset(DiagnosisRowForm, DiagnosisFormSetBase)
PhenotypeFormSet = row_formset(PhenotypeRowForm, PhenotypeFormSetBase)
VariantFormSet = row_formset(VariantRowForm, VariantFormSetBase)


class DiagnosisForm(StyledFormMixin, forms.Form):
    """The diagnosis section: its rows (a formset) and "undiagnosed"; the rules that span rows."""

    undiagnosed = forms.BooleanField(
        label=_("Undiagnosed: no diagnosis is confirmed yet"),
        required=False,
        help_text=_("Suspected and excluded diagnoses may still be listed."),
    )

    def __init__(self, data=None, *, rows: forms.BaseFormSet, **kwargs):
        super().__init__(data, **kwargs)
        self.rows = rows

    def clean(self):
        cleaned = super().clean()
        if not self.rows.is_valid():
            return cleaned
        kept = self.rows.rows()
        if cleaned.get("undiagnosed") and any(row["certainty"] == Certainty.CONFIRMED for row in kept):
            self.add_error(
                "undiagnosed",
                _("A case with a confirmed diagnosis is not undiagnosed: untick it or change the certainty."),
            )
        main = [row for row in kept if row["is_main"]]
        if len(main) > 1:
            raise ValidationError(_("Choose one main diagnosis only."))
        if main and main[0]["certainty"] == Certainty.EXCLUDED:
            raise ValidationError(_("An excluded diagnosis cannot be the main diagnosis."))
        candidates = [row for row in kept if row["certainty"] != Certainty.EXCLUDED]
        if not main and len(candidates) == 1:
            candidates[0]["is_main"] = True  # the only diagnosis is the main one
        elif not main and len(candidates) > 1:
            raise ValidationError(_("Tick “Main diagnosis” on one of the diagnoses."))
        cleaned["rows"] = kept
        return cleaned


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        validators=[ATTACHMENT_CHECK],
        help_text=_(
            "A PDF, JPEG or PNG: a letter, a report, a photograph. Images for DICOM go to the imaging pages."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_CHECK.accept}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form: type | None = None  # a SectionForm
    rows: type | None = None  # a formset of rows


# The sections in the order of the form (and of the summary page).
SECTIONS = {
    section.slug: section
    for section in (
        Section("status", _("Status and onset"), form=StatusOnsetForm),
        Section("history", _("Clinical history"), form=ClinicalHistoryForm),
        Section("diagnosis", _("Diagnosis"), rows=DiagnosisFormSet),
        Section("phenotype", _("Phenotype"), rows=PhenotypeFormSet),
        Section("genetics", _("Genetics"), rows=VariantFormSet),
        Section("investigations", _("Investigations"), form=InvestigationsForm),
        Section("treatment", _("Treatment"), form=TreatmentForm),
        Section("attachments", _("Attachments")),
    )
}
DRAFTED = {slug for slug in SECTIONS if slug != "attachments"}
