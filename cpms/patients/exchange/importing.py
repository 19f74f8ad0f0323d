"""An uploaded file → a Prefill, and the plan of what it will fill in a case.

Every file is hostile until read: the size is limited by the form, the JSON must be UTF-8, an object,
at most MAX_DEPTH deep, without NaN; then it must be a Phenopacket v2 or a FHIR R4 Bundle as their own
parsers read them. Any failure is `UnreadableFile` with a sentence for the page, never an exception.

Merging (`plan`): the file adds, it never changes or removes. A diagnosis or phenotype already in the
case (same code) is left as it is; a variant already there (same gene and HGVS) too; the case's onset
is set only if it is empty; a new diagnosis becomes the main one only if the case has none (the first
diagnosis of the file that is not excluded). Codes the loaded releases do not know, codes of other
terminologies and the fields CPMS does not keep are listed on the preview, never silently dropped.
"""

import json
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from fhirclient.models.fhirabstractbase import FHIRValidationError
from google.protobuf import json_format

from cpms.coding.models import Concept

from ..models import Patient
from ..models.case import AcmgClass, Certainty, Onset, Zygosity
from . import fhir, phenopacket
from .prefill import Prefill
from .snapshot import case_of

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_ITEMS = 2000  # diagnoses + phenotypes + variants: a case, not a registry


class UnreadableFile(Exception):
    """The upload is not a file CPMS can read; the message says why, for the person who sent it."""


def reject_constant(name: str):
    raise ValueError(name)


def depth_of(value) -> int:
    """The nesting depth of parsed JSON, without recursion (a hostile file must not exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def load_json(data: bytes) -> dict:
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_("The file is too large."))
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=reject_constant)
    except UnicodeDecodeError:
        raise UnreadableFile(_("The file is not text in UTF-8: it cannot be a JSON file.")) from None
    except RecursionError:
        raise UnreadableFile(_("The file is nested too deeply to be a case.")) from None
    except ValueError as error:
        raise UnreadableFile(_("The file is not valid JSON (%(error)s).") % {"error": error}) from None
    if not isinstance(value, dict):
        raise UnreadableFile(_("The file is JSON, but not a Phenopacket or a FHIR Bundle (not an object)."))
    if depth_of(value) > MAX_DEPTH:
        raise UnreadableFile(_("The file is nested too deeply to be a case."))
    return value


def read_upload(data: bytes) -> Prefill:
    """The bytes of an upload → what they bring; UnreadableFile with the reason otherwise."""
    value = load_json(data)
    if "resourceType" in value:
        if value["resourceType"] != "Bundle":
            raise UnreadableFile(
                _("The file is a FHIR %(type)s; CPMS reads a FHIR Bundle.")
                % {"type": str(value["resourceType"])[:40]}
            )
        try:
            prefill = fhir.read_bundle(value)
        except FHIRValidationError as error:
            raise UnreadableFile(
                _("The file is not a valid FHIR R4 Bundle: %(error)s") % {"error": brief(error)}
            ) from None
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError) as error:
            raise UnreadableFile(
                _("The file is not a valid FHIR R4 Bundle: %(error)s") % {"error": brief(error)}
            ) from None
    else:
        try:
            prefill = phenopacket.read_phenopacket(value)
        except (json_format.ParseError, TypeError, ValueError, RecursionError) as error:
            raise UnreadableFile(
                _("The file is neither a FHIR Bundle nor a valid Phenopacket v2: %(error)s")
                % {"error": brief(error)}
            ) from None
    if len(prefill.diagnoses) + len(prefill.phenotypes) + len(prefill.variants) > MAX_ITEMS:
        raise UnreadableFile(
            _("The file holds more than %(count)s codes: it is not one case.") % {"count": MAX_ITEMS}
        )
    return prefill


def brief(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:300] + ("…" if len(text) > 300 else "")


# -- the plan: what will be filled, what is there already, what is unknown


@dataclass
class Plan:
    diagnoses: list[dict] = field(default_factory=list)  # to add, each with its concept_id
    phenotypes: list[dict] = field(default_factory=list)
    variants: list[dict] = field(default_factory=list)
    onset: str = ""
    already_there: list[str] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)  # not in the loaded releases
    foreign_codes: list[str] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)
    incomplete_variants: list[str] = field(default_factory=list)

    @property
    def onset_label(self):
        return label_of(Onset, self.onset)

    @property
    def is_empty(self) -> bool:
        return not (self.diagnoses or self.phenotypes or self.variants or self.onset)


def concepts_for(prefill: Prefill) -> dict[tuple[str, str], Concept]:
    codes = [(d["system"], d["code"]) for d in prefill.diagnoses] + [
        ("hpo", p["code"]) for p in prefill.phenotypes
    ]
    if not codes:
        return {}
    wanted = Q()
    for system in {system for system, _code in codes}:
        wanted |= Q(system=system, code__in={code for s, code in codes if s == system})
    return {(c.system, c.code): c for c in Concept.objects.filter(wanted, is_obsolete=False)}


def existing(patient: Patient) -> tuple[set[int], set[int], set[tuple[str, str]], bool, str]:
    case = case_of(patient)
    if case is None:
        return set(), set(), set(), False, ""
    diagnoses = list(case.diagnoses.values_list("concept_id", "is_main"))
    return (
        {concept_id for concept_id, _main in diagnoses},
        set(case.phenotypes.values_list("concept_id", flat=True)),
        {(g.upper(), h) for g, h in case.variants.values_list("gene_symbol", "hgvs")},
        any(main for _id, main in diagnoses),
        case.onset,
    )


def label_of(choices, value: str):
    """The translated label of a choice, for the preview ("" when the file gave none)."""
    return choices(value).label if value else ""


def plan(patient: Patient, prefill: Prefill) -> Plan:
    concepts = concepts_for(prefill)
    diagnosis_ids, phenotype_ids, variant_keys, has_main, onset = existing(patient)
    found = Plan(
        foreign_codes=list(prefill.foreign_codes),
        not_kept=list(prefill.not_kept),
        onset="" if onset else prefill.onset,
    )
    for item in prefill.diagnoses:
        concept = concepts.get((item["system"], item["code"]))
        if concept is None:
            found.unknown_codes.append(f"{item['code']} {item['label']}".strip())
        elif concept.pk in diagnosis_ids:
            found.already_there.append(str(concept))
        else:
            diagnosis_ids.add(concept.pk)
            is_main = not has_main and item["certainty"] != "excluded"
            has_main = has_main or is_main
            found.diagnoses.append(
                {**item, "concept_id": concept.pk, "label": concept.label, "is_main": is_main}
                | {"shown": Certainty(item["certainty"]).label}
            )
    for item in prefill.phenotypes:
        concept = concepts.get(("hpo", item["code"]))
        if concept is None:
            found.unknown_codes.append(f"{item['code']} {item['label']}".strip())
        elif concept.pk in phenotype_ids:
            found.already_there.append(str(concept))
        else:
            phenotype_ids.add(concept.pk)
            found.phenotypes.append(
                {
                    **item,
                    "concept_id": concept.pk,
                    "label": concept.label,
                    "shown": label_of(Onset, item["onset"]),
                }
            )
    for item in prefill.variants:
        key = (item["gene_symbol"].upper(), item["hgvs"])
        if (
            not (item["gene_symbol"] and item["hgvs"])
            or len(item["gene_symbol"]) > 40
            or len(item["hgvs"]) > 500
        ):
            found.incomplete_variants.append(f"{item['gene_symbol'][:40]} {item['hgvs'][:80]}".strip() or "?")
        elif key in variant_keys:
            found.already_there.append(f"{item['gene_symbol']} {item['hgvs']}")
        else:
            variant_keys.add(key)
            shown = [label_of(Zygosity, item["zygosity"]), label_of(AcmgClass, item["acmg_class"])]
            found.variants.append({**item, "shown": ", ".join(str(label) for label in shown if label)})
    return found


# -- the prefill waits in the session between the preview and the confirmation

SESSION_KEY = "patients.case_import"


def keep_prefill(request, patient: Patient, prefill: Prefill, file_name: str) -> None:
    request.session[SESSION_KEY] = {
        "pseudonym": patient.pseudonym,
        "file": file_name[:200],
        "prefill": prefill.as_dict(),
    }


def kept_prefill(request, patient: Patient) -> tuple[Prefill, str] | None:
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("pseudonym") != patient.pseudonym:
        return None
    return Prefill.from_dict(kept["prefill"]), kept["file"]


def forget_prefill(request) -> None:
    request.session.pop(SESSION_KEY, None)
