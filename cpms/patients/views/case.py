"""The case of a patient (the consultation form): a summary of its sections, one page per section,
the drafts that the section pages autosave, and the attachments.

Only HPs of the enrolling centre reach these pages (queries.get_patient_for_user: 404 otherwise).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.formats import time_format
from django.utils.http import content_disposition_header
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.clinical.decorators import cpms_user_required
from cpms.coding.models import Release
from cpms.coding.queries import gene_is_known

from ..actions.case import (
    MAX_DRAFT_CHARACTERS,
    do_add_case_attachment,
    do_discard_case_draft,
    do_remove_case_attachment,
    do_save_case_diagnoses,
    do_save_case_draft,
    do_save_case_fields,
    do_save_case_phenotypes,
    do_save_case_variants,
)
from ..forms.case import (
    ATTACHMENT_MAX_BYTES,
    DRAFTED,
    SECTIONS,
    AttachmentForm,
    DiagnosisForm,
    DiagnosisFormSet,
    PhenotypeFormSet,
    VariantFormSet,
)
from ..models import Case
from ..queries_case import (
    case_version,
    draft_of,
    get_attachment_for_user,
    get_case_for_user,
    get_patient_for_case_write,
    read_attachment_for_user,
)

ROW_PREFIXES = {"diagnosis": "diagnoses", "phenotype": "phenotypes", "genetics": "variants"}


def section_of(slug: str):
    section = SECTIONS.get(slug)
    if section is None:
        raise Http404
    return section


def optional_url(name: str, **kwargs) -> str:
    """A page of another feature, or "" while it does not exist yet: never a dead link."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def breadcrumbs(case: Case, *more) -> list:
    pseudonym = case.patient.pseudonym
    trail = [(_("Dashboard"), reverse("clinical:dashboard"))]
    if patient_url := optional_url("patients:patient-detail", pseudonym=pseudonym):
        trail.append((pseudonym, patient_url))
    trail.append((_("Case"), reverse("patients:case-detail", kwargs={"pseudonym": pseudonym})))
    return [*trail, *more]


def section_url(case: Case, slug: str) -> str:
    return reverse("patients:case-section", kwargs={"pseudonym": case.patient.pseudonym, "section": slug})


def releases() -> list[Release]:
    return list(Release.objects.order_by("system"))


# -- the forms of a section: built from the saved case, from a draft, or from what was posted


def rows_initial(case: Case, slug: str) -> list[dict]:
    if case.pk is None:
        return []
    if slug == "diagnosis":
        return [
            {"code": d.concept.code, "certainty": d.certainty, "is_main": d.is_main}
            for d in case.diagnoses.all()
        ]
    if slug == "phenotype":
        return [
            {"code": p.concept.code, "excluded": "excluded" if p.excluded else "observed", "onset": p.onset}
            for p in case.phenotypes.all()
        ]
    return [
        {"gene_symbol": v.gene_symbol, "hgvs": v.hgvs, "zygosity": v.zygosity, "acmg_class": v.acmg_class}
        for v in case.variants.all()
    ]


def build_forms(slug: str, case: Case, data=None, initial=None, rows=None):
    """(form, rows formset) of a section; either may be None. `data` binds them (a submit);
    otherwise `initial`/`rows` (from a draft) or the saved case fill them."""
    section = section_of(slug)
    patient = case.patient
    if section.form:
        initial = initial if initial is not None else section.form.initial_of(case)
        return section.form(data, patient=patient, initial=None if data else initial), None
    prefix = ROW_PREFIXES[slug]
    formset_class = {
        "diagnosis": DiagnosisFormSet,
        "phenotype": PhenotypeFormSet,
        "genetics": VariantFormSet,
    }[slug]
    # A submit is compared with empty rows, not with the saved ones: every row posted is kept.
    formset = formset_class(
        data,
        prefix=prefix,
        initial=None if data else (rows if rows is not None else rows_initial(case, slug)),
    )
    if slug == "diagnosis":
        header_initial = initial if initial is not None else {"undiagnosed": case.undiagnosed}
        return DiagnosisForm(data, rows=formset, initial=None if data else header_initial), formset
    return None, formset


def values_of(form) -> dict:
    """What a bound form holds, unvalidated, as initial values for an unbound one."""
    return {name: form[name].value() for name in form.fields if name != "DELETE"}


def forms_from_draft(slug: str, case: Case, data: dict):
    posted = QueryDict(mutable=True)
    for key, values in data.items():
        posted.setlist(key, values)
    form, formset = build_forms(slug, case, data=posted)
    initial = values_of(form) if form is not None else None
    rows = None
    if formset is not None:
        rows = [values_of(row) for row in formset.forms if row.has_changed() and not row["DELETE"].value()]
    return build_forms(slug, case, initial=initial, rows=rows)


def is_valid(form, formset) -> bool:
    # Both are checked, so that every error is shown at once.
    valid = [each.is_valid() for each in (formset, form) if each is not None]
    return all(valid)


def save(request: HttpRequest, case: Case, slug: str, form, formset) -> None:
    patient = case.patient
    if slug == "diagnosis":
        do_save_case_diagnoses(
            acting_user=request.user,
            patient=patient,
            undiagnosed=form.cleaned_data["undiagnosed"],
            rows=form.cleaned_data["rows"],
        )
    elif slug == "phenotype":
        do_save_case_phenotypes(acting_user=request.user, patient=patient, rows=formset.rows())
    elif slug == "genetics":
        rows = formset.rows()
        do_save_case_variants(acting_user=request.user, patient=patient, rows=rows)
        warn_about_unknown_genes(request, rows)
    else:
        do_save_case_fields(acting_user=request.user, patient=patient, section=slug, values=form.values())


def warn_about_unknown_genes(request: HttpRequest, rows: list[dict]) -> None:
    for symbol in sorted({row["gene_symbol"] for row in rows}):
        if not gene_is_known(symbol):
            messages.warning(
                request,
                _(
                    "%(gene)s is not a gene that the loaded HPO annotations know. "
                    "It was saved: check the symbol."
                )
                % {"gene": symbol},
            )


# -- the summary of the case: per section, (key, value, detail) rows for the check-answers component


def not_recorded() -> str:
    return _("Not recorded")


def years(value) -> str:
    return not_recorded() if value is None else _("%(years)s years") % {"years": value}


def summary_rows(case: Case, slug: str) -> list[tuple]:
    if slug == "status":
        return [
            (_("Onset"), case.get_onset_display() or not_recorded(), ""),
            (_("Age at onset"), years(case.age_at_onset_years), ""),
            (_("Age at diagnosis"), years(case.age_at_diagnosis_years), ""),
            (_("First contact with the centre"), case.first_contact_year or not_recorded(), ""),
        ]
    if slug == "history":
        return [
            (_("Clinical history"), case.clinical_history or not_recorded(), ""),
            (_("Family history"), case.family_history or not_recorded(), ""),
        ]
    if slug in ("investigations", "treatment"):
        return [(SECTIONS[slug].title, getattr(case, slug) or not_recorded(), "")]
    if case.pk is None:
        return []
    if slug == "diagnosis":
        rows = [
            (
                d.concept.code,
                d.concept.label,
                d.get_certainty_display() + (f" · {_('main diagnosis')}" if d.is_main else ""),
            )
            for d in case.diagnoses.all()
        ]
        if case.undiagnosed:
            rows.insert(0, (_("Undiagnosed"), _("No diagnosis is confirmed yet"), ""))
        return rows
    if slug == "phenotype":
        return [
            (
                p.concept.code,
                p.concept.label,
                " · ".join(
                    filter(None, [_("Excluded") if p.excluded else _("Observed"), p.get_onset_display()])
                ),
            )
            for p in case.phenotypes.all()
        ]
    if slug == "genetics":
        return [
            (
                v.gene_symbol,
                v.hgvs,
                " · ".join(filter(None, [v.get_zygosity_display(), v.get_acmg_class_display()])),
            )
            for v in case.variants.all()
        ]
    return [
        (a.document.name, a.description or a.document.get_kind_display(), filesizeformat(a.document.size))
        for a in case.attachments.all()
    ]


# -- pages


@cpms_user_required
@require_GET
def case_detail(request: HttpRequest, pseudonym: str) -> HttpResponse:
    case = get_case_for_user(request, pseudonym)
    context = {
        "case": case,
        "patient": case.patient,
        "sections": [
            (section, section_url(case, slug), summary_rows(case, slug)) for slug, section in SECTIONS.items()
        ],
        "breadcrumbs": breadcrumbs(case)[:-1] + [(_("Case"), None)],
        "releases": releases(),
    }
    return render(request, "patients/case_detail.html", context)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def case_section(request: HttpRequest, pseudonym: str, section: str) -> HttpResponse:
    if section_of(section).slug == "attachments":
        return case_attachments(request, pseudonym)
    case = get_case_for_user(request, pseudonym, section=section)
    draft = None
    if request.method == "POST":
        form, formset = build_forms(section, case, data=request.POST)
        if is_valid(form, formset):
            save(request, case, section, form, formset)
            messages.success(request, _("%(section)s saved.") % {"section": section_of(section).title})
            if "add_row" in request.POST:
                return redirect(section_url(case, section) + "#new-row")
            return redirect("patients:case-detail", pseudonym=pseudonym)
    else:
        draft = draft_of(case.patient, section, request.user)
        if draft and (case.pk is None or draft.saved_at > case.updated_at):
            form, formset = forms_from_draft(section, case, draft.data)
        else:
            draft = None
            form, formset = build_forms(section, case)
    context = {
        "case": case,
        "patient": case.patient,
        "section": section_of(section),
        "form": form,
        "formset": formset,
        "draft": draft,
        "draft_base": case.updated_at.isoformat() if case.pk else "",
        "draft_url": reverse("patients:case-draft", kwargs={"pseudonym": pseudonym, "section": section}),
        "discard_url": reverse(
            "patients:case-draft-discard", kwargs={"pseudonym": pseudonym, "section": section}
        ),
        "breadcrumbs": breadcrumbs(case, (section_of(section).title, None)),
        "releases": releases(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "patients/case_section.html", context, status=status)


def draft_data(request: HttpRequest) -> dict[str, list[str]]:
    data = {
        key.replace("\x00", ""): [value.replace("\x00", "") for value in values]
        for key, values in request.POST.lists()
        if key not in ("csrfmiddlewaretoken", "draft_base")
    }
    if len(data) > 2000 or sum(len(key) + sum(len(v) for v in values) for key, values in data.items()) > (
        MAX_DRAFT_CHARACTERS
    ):
        raise ValidationError(_("This draft is too long to be kept. Save the section instead."))
    return data


@cpms_user_required
@require_POST
def case_draft(request: HttpRequest, pseudonym: str, section: str) -> HttpResponse:
    """Autosave (static/patients/case-draft.js): keeps what the user typed, answers in JSON."""
    if section not in DRAFTED:
        raise Http404
    patient = get_patient_for_case_write(request, pseudonym)
    if request.POST.get("draft_base", "") != case_version(patient):
        # The section was saved since the page was opened (by this user a moment ago, or by a
        # colleague): a draft of the older page would come back over what was saved.
        return JsonResponse(
            {"error": _("This section was saved since this page was opened: reload the page to see it.")},
            status=409,
        )
    try:
        data = draft_data(request)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=413)
    draft = do_save_case_draft(acting_user=request.user, patient=patient, section=section, data=data)
    saved_at = time_format(localtime(draft.saved_at), "H:i")
    return JsonResponse(
        {"saved_at": draft.saved_at.isoformat(), "message": _("Draft saved at %(time)s") % {"time": saved_at}}
    )


@cpms_user_required
@require_POST
def case_draft_discard(request: HttpRequest, pseudonym: str, section: str) -> HttpResponse:
    if section not in DRAFTED:
        raise Http404
    patient = get_patient_for_case_write(request, pseudonym)
    do_discard_case_draft(acting_user=request.user, patient=patient, section=section)
    messages.success(request, _("The draft was discarded: the form shows what was saved."))
    return redirect("patients:case-section", pseudonym=pseudonym, section=section)


def case_attachments(request: HttpRequest, pseudonym: str) -> HttpResponse:
    case = get_case_for_user(request, pseudonym, section="attachments")
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        do_add_case_attachment(
            acting_user=request.user,
            patient=case.patient,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        )
        messages.success(
            request, _("%(name)s is attached to the case.") % {"name": form.cleaned_data["file"].name}
        )
        return redirect("patients:case-section", pseudonym=pseudonym, section="attachments")
    context = {
        "case": case,
        "patient": case.patient,
        "section": section_of("attachments"),
        "form": form,
        "attachments": list(case.attachments.all()) if case.pk else [],
        "max_bytes": ATTACHMENT_MAX_BYTES,
        "breadcrumbs": breadcrumbs(case, (section_of("attachments").title, None)),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "patients/case_attachments.html", context, status=status)


@cpms_user_required
@require_GET
def case_attachment_download(request: HttpRequest, pseudonym: str, attachment_id: int) -> HttpResponse:
    attachment, data = read_attachment_for_user(request, pseudonym, attachment_id)
    document = attachment.document
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@cpms_user_required
@require_POST
def case_attachment_remove(request: HttpRequest, pseudonym: str, attachment_id: int) -> HttpResponse:
    attachment = get_attachment_for_user(request, pseudonym, attachment_id)
    name = attachment.document.name
    do_remove_case_attachment(
        acting_user=request.user, patient=attachment.document.patient, attachment=attachment
    )
    messages.success(request, _("%(name)s was removed from the case.") % {"name": name})
    return redirect("patients:case-section", pseudonym=pseudonym, section="attachments")
