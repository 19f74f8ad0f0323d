"""The sweep: the research store made to match the consents in force, idempotently.

Which cases enter: every patient whose consent for ERN registries and databases is given
(`with_research_consent`) and who is not removed, whether or not a panel of theirs was sent to
research (a lead's "send to research" on a closed panel is such a patient too). The store is
rebuilt from the source at each run: a case enters anonymised (cpms/research/anonymise.py), a case
whose anonymised content changed is rewritten, and the case of a patient whose consent is no longer
given (withdrawn, refused) or who was removed is deleted, with its diagnoses, phenotypes and genes.
Each case's phenotype terms are written with all their is_a ancestors (ResearchPhenotypeTerm, part
of its fingerprint: a change of the HPO tree rewrites the cases it touches), so that a query by a
term with its descendants is one indexed lookup.

Run by `manage.py research_sweep` and by Celery beat (`research.sweep`, CELERY_BEAT_SCHEDULE);
audited with counts only (`research.sweep.ran`), never with a patient or case id.
"""

import hashlib
import hmac
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.db import transaction

from cpms.audit.record import record
from cpms.coding.models import Hierarchy
from cpms.patients.models import Case, CaseDiagnosis, CasePhenotype, CaseVariant, Patient
from cpms.patients.models.case import Certainty
from cpms.patients.queries import with_research_consent

from .anonymise import Entry, age_band, decade, generalise
from .models import (
    ResearchCase,
    ResearchDiagnosis,
    ResearchGene,
    ResearchLink,
    ResearchPhenotype,
    ResearchPhenotypeTerm,
)

SWEEP_RAN = "research.sweep.ran"
BATCH = 2000


@dataclass(frozen=True)
class SweepResult:
    added: int
    updated: int
    removed: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


def patient_key(patient_id: int) -> str:
    """HMAC-SHA256 of the patient's id with RESEARCH_LINK_KEY (outside the database)."""
    message = f"research-link\x1f{patient_id}".encode()
    return hmac.new(settings.RESEARCH_LINK_KEY.encode(), message, hashlib.sha256).hexdigest()


def _batches(values: list, size: int = BATCH):
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


class Ancestry:
    """The HPO is_a tree (coding.Hierarchy), read once per sweep: a term and all its ancestors."""

    def __init__(self):
        self.parents: dict[int, list[int]] = {}
        for child_id, parent_id in Hierarchy.objects.values_list("child_id", "parent_id"):
            self.parents.setdefault(child_id, []).append(parent_id)
        self.known: dict[int, frozenset[int]] = {}

    def of(self, concept_id: int) -> frozenset[int]:
        """The term and every term above it (a walk of the tree, remembered; cycles are harmless)."""
        if concept_id not in self.known:
            seen, stack = set(), [concept_id]
            while stack:
                term = stack.pop()
                if term not in seen:
                    seen.add(term)
                    stack.extend(self.parents.get(term, ()))
            self.known[concept_id] = frozenset(seen)
        return self.known[concept_id]

    def terms(self, phenotypes) -> tuple[int, ...]:
        """The sorted terms a case has through its phenotypes (concept id, excluded) not excluded."""
        terms = set()
        for concept_id, excluded in phenotypes:
            if not excluded:
                terms |= self.of(concept_id)
        return tuple(sorted(terms))


def consented_entries() -> list[Entry]:
    """The anonymised entries of every consented patient, before generalisation."""
    ancestry = Ancestry()
    patients = with_research_consent(Patient.objects.unscoped()).filter(removed_at=None)
    rows = list(
        patients.order_by("pk").values_list(
            "pk", "ern_id", "centre__parent__code", "sex_at_birth", "year_of_birth", "enrolled_at"
        )
    )
    entries = []
    for batch in _batches(rows):
        cases = dict(
            Case.objects.unscoped()
            .filter(patient_id__in=[row[0] for row in batch])
            .values_list("patient_id", "id")
        )
        onsets = dict(Case.objects.unscoped().filter(pk__in=cases.values()).values_list("id", "onset"))
        diagnoses, phenotypes, genes = {}, {}, {}
        case_ids = list(cases.values())
        for case_id, concept_id, certainty in (
            CaseDiagnosis.objects.unscoped()
            .filter(case_id__in=case_ids)
            .exclude(certainty=Certainty.EXCLUDED)
            .values_list("case_id", "concept_id", "certainty")
        ):
            diagnoses.setdefault(case_id, set()).add((concept_id, certainty))
        for case_id, concept_id, excluded in (
            CasePhenotype.objects.unscoped()
            .filter(case_id__in=case_ids)
            .values_list("case_id", "concept_id", "excluded")
        ):
            phenotypes.setdefault(case_id, set()).add((concept_id, excluded))
        for case_id, symbol in (
            CaseVariant.objects.unscoped().filter(case_id__in=case_ids).values_list("case_id", "gene_symbol")
        ):
            if symbol.strip():
                genes.setdefault(case_id, set()).add(symbol.strip().upper()[:40])
        for patient_id, ern_id, country, sex, year_of_birth, enrolled_at in batch:
            case_id = cases.get(patient_id)
            entry_year = enrolled_at.year
            entries.append(
                Entry(
                    patient_key=patient_key(patient_id),
                    ern_id=ern_id,
                    country=(country or "")[:2].upper(),
                    sex=sex,
                    age_band=age_band(year_of_birth, entry_year),
                    birth_decade=decade(year_of_birth),
                    entry_year=entry_year,
                    onset=onsets.get(case_id, "") if case_id else "",
                    diagnoses=tuple(sorted(diagnoses.get(case_id, ()))),
                    phenotypes=tuple(sorted(phenotypes.get(case_id, ()))),
                    phenotype_terms=ancestry.terms(phenotypes.get(case_id, ())),
                    genes=tuple(sorted(genes.get(case_id, ()))),
                )
            )
    return entries


def _case_fields(entry: Entry) -> dict:
    return {
        "ern_id": entry.ern_id,
        "country": entry.country,
        "sex": entry.sex,
        "age_band": entry.age_band,
        "birth_decade": entry.birth_decade,
        "entry_year": entry.entry_year,
        "onset": entry.onset,
    }


def _write_children(pairs: list[tuple[int, Entry]]) -> None:
    ResearchDiagnosis.objects.bulk_create(
        (
            ResearchDiagnosis(case_id=case_id, concept_id=concept_id, certainty=certainty)
            for case_id, entry in pairs
            for concept_id, certainty in entry.diagnoses
        ),
        batch_size=BATCH,
    )
    ResearchPhenotype.objects.bulk_create(
        (
            ResearchPhenotype(case_id=case_id, concept_id=concept_id, excluded=excluded)
            for case_id, entry in pairs
            for concept_id, excluded in entry.phenotypes
        ),
        batch_size=BATCH,
    )
    ResearchPhenotypeTerm.objects.bulk_create(
        (
            ResearchPhenotypeTerm(case_id=case_id, concept_id=concept_id, ern_id=entry.ern_id)
            for case_id, entry in pairs
            for concept_id in entry.phenotype_terms
        ),
        batch_size=BATCH,
    )
    ResearchGene.objects.bulk_create(
        (ResearchGene(case_id=case_id, symbol=symbol) for case_id, entry in pairs for symbol in entry.genes),
        batch_size=BATCH,
    )


def run_sweep() -> SweepResult:
    """Make the store match the consents in force; the counts of what it did (audited)."""
    threshold = settings.RESEARCH_SUPPRESSION_THRESHOLD
    with transaction.atomic():
        wanted = {entry.patient_key: entry for entry in generalise(consented_entries(), threshold)}
        links = {
            key: (case_id, fingerprint)
            for key, case_id, fingerprint in ResearchLink.objects.values_list(
                "patient_key", "case_id", "fingerprint"
            )
        }
        new = [entry for key, entry in wanted.items() if key not in links]
        changed = [
            (links[key][0], entry)
            for key, entry in wanted.items()
            if key in links and links[key][1] != entry.fingerprint()
        ]
        gone = [case_id for key, (case_id, _) in links.items() if key not in wanted]

        for batch in _batches(gone):
            ResearchCase.objects.filter(pk__in=batch).delete()  # links and codes go with them

        for batch in _batches(changed):
            case_ids = [case_id for case_id, _ in batch]
            cases = {case.pk: case for case in ResearchCase.objects.filter(pk__in=case_ids)}
            for case_id, entry in batch:
                for name, value in _case_fields(entry).items():
                    setattr(cases[case_id], name, value)
            ResearchCase.objects.bulk_update(cases.values(), list(_case_fields(batch[0][1])))
            for model in (ResearchDiagnosis, ResearchPhenotype, ResearchPhenotypeTerm, ResearchGene):
                model.objects.filter(case_id__in=case_ids).delete()
            _write_children(batch)
            links_of = {link.case_id: link for link in ResearchLink.objects.filter(case_id__in=case_ids)}
            for case_id, entry in batch:
                links_of[case_id].fingerprint = entry.fingerprint()
            ResearchLink.objects.bulk_update(links_of.values(), ["fingerprint"])

        for batch in _batches(new):
            cases = ResearchCase.objects.bulk_create(ResearchCase(**_case_fields(entry)) for entry in batch)
            pairs = [(case.pk, entry) for case, entry in zip(cases, batch, strict=True)]
            _write_children(pairs)
            ResearchLink.objects.bulk_create(
                ResearchLink(case_id=case_id, patient_key=entry.patient_key, fingerprint=entry.fingerprint())
                for case_id, entry in pairs
            )

        result = SweepResult(
            added=len(new),
            updated=len(changed),
            removed=len(gone),
            unchanged=len(wanted) - len(new) - len(changed),
        )
        record(None, SWEEP_RAN, None, result.as_dict())
    return result
