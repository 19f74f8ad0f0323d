"""A PATCH of the coded case, through the case pages' own forms and actions.

The body names the fields it changes, in the shape the case is read (CaseSerializer); each section
it touches is bound as the section's page would post it (`views.case.build_forms`: the same forms,
the same formsets of rows, the same checks of codes against the loaded releases) and saved by the
section's `do_save_case_*` action. A field the body leaves keeps its value; a list of rows sent
replaces the section's rows, as the page does. Every touched section is checked before any is saved,
and all are saved in one transaction: a 400 changes nothing.
"""

from django.db import transaction
from django.http import QueryDict

from cpms.patients.actions.case import (
    do_save_case_diagnoses,
    do_save_case_fields,
    do_save_case_phenotypes,
    do_save_case_variants,
)
from cpms.patients.forms.case import SECTIONS
from cpms.patients.views.case import ROW_PREFIXES, build_forms, rows_initial

# The API's fields of each section, in the order of the form.
FIELDS = {slug: section.form.field_names for slug, section in SECTIONS.items() if section.form}
ROWS = {"diagnosis": "diagnoses", "phenotype": "phenotypes", "genetics": "variants"}
ROW_FIELDS = {
    "diagnosis": ("code", "certainty", "is_main"),
    "phenotype": ("code", "excluded", "onset"),
    "genetics": ("gene_symbol", "hgvs", "zygosity", "acmg_class"),
}


def posted(value) -> str:
    return "" if value is None else str(value)


def section_data(case, slug: str, given: dict) -> QueryDict:
    """What the section's page would post for the case with these changes."""
    data = QueryDict(mutable=True)
    if slug in FIELDS:
        initial = SECTIONS[slug].form.initial_of(case)
        for name in FIELDS[slug]:
            data[name] = posted(given[name] if name in given else initial[name])
        return data
    rows = given[ROWS[slug]] if ROWS[slug] in given else api_rows(rows_initial(case, slug))
    prefix = ROW_PREFIXES[slug]
    data.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"})
    for index, row in enumerate(rows):
        for name in ROW_FIELDS[slug]:
            value = row.get(name)
            if name == "excluded":
                value = "excluded" if value else "observed"
            if isinstance(value, bool):  # a ticked box is posted, an unticked one is not
                if value:
                    data[f"{prefix}-{index}-{name}"] = "on"
                continue
            data[f"{prefix}-{index}-{name}"] = posted(value)
    if slug == "diagnosis" and given.get("undiagnosed", case.undiagnosed):
        data["undiagnosed"] = "on"
    return data


def api_rows(rows: list[dict]) -> list[dict]:
    """The saved rows (as the page fills its forms) in the API's shape."""
    return [{**row, "excluded": row["excluded"] == "excluded"} if "excluded" in row else row for row in rows]


def touched(given: dict) -> list[str]:
    """The sections the body changes, in the order of the form."""
    names = {slug: FIELDS.get(slug, ()) + ((ROWS[slug],) if slug in ROWS else ()) for slug in SECTIONS}
    names["diagnosis"] += ("undiagnosed",)
    return [slug for slug, fields in names.items() if any(name in given for name in fields)]


def bind(case, given: dict) -> dict:
    """{section: (form, formset)} of the sections the body changes, bound as their pages post them."""
    return {slug: build_forms(slug, case, data=section_data(case, slug, given)) for slug in touched(given)}


def errors_of(bound: dict) -> dict:
    """Every section's messages at once, named as the body names its fields: `age_at_onset_years`,
    `diagnoses.1.code` for a row, `diagnoses` for a rule across the rows."""
    errors: dict[str, list[str]] = {}

    def add(name: str, messages) -> None:
        if messages:
            errors.setdefault(name, []).extend(str(m) for m in messages)

    for slug, (form, formset) in bound.items():
        rows = ROWS.get(slug, "non_field_errors")
        valid = [each.is_valid() for each in (formset, form) if each is not None]
        if all(valid):
            continue
        if formset is not None:
            add(rows, formset.non_form_errors())
            for index, row_errors in enumerate(formset.errors):
                for name, messages in row_errors.items():
                    add(f"{rows}.{index}.{name}" if name != "__all__" else f"{rows}.{index}", messages)
        if form is not None:
            for name, messages in form.errors.items():
                add(rows if name == "__all__" else name, messages)
    return errors


@transaction.atomic
def save(acting_user, patient, bound: dict) -> None:
    """Each section through its page's action (audited), all or none."""
    for slug, (form, formset) in bound.items():
        if slug == "diagnosis":
            do_save_case_diagnoses(
                acting_user=acting_user,
                patient=patient,
                undiagnosed=form.cleaned_data["undiagnosed"],
                rows=form.cleaned_data["rows"],
            )
        elif slug == "phenotype":
            do_save_case_phenotypes(acting_user=acting_user, patient=patient, rows=formset.rows())
        elif slug == "genetics":
            do_save_case_variants(acting_user=acting_user, patient=patient, rows=formset.rows())
        else:
            do_save_case_fields(acting_user=acting_user, patient=patient, section=slug, values=form.values())
