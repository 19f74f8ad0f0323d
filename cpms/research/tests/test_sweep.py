"""The sweep: consented patients enter the store anonymised, changes follow, a withdrawal removes
the case; idempotent; audited with counts only."""

import datetime

from django.core.management import call_command

from cpms.audit.models import AuditEvent
from cpms.coding.models import Concept, Hierarchy
from cpms.patients.models import Patient
from cpms.patients.models.patient import ConsentStatus

from ..models import (
    OTHER_COUNTRY,
    AgeBand,
    ResearchCase,
    ResearchDiagnosis,
    ResearchGene,
    ResearchLink,
    ResearchPhenotypeTerm,
)
from ..sweep import SWEEP_RAN, Ancestry, patient_key, run_sweep
from ..tasks import sweep


def withdraw(patient) -> None:
    # As the consent action leaves it: the consent in force is mirrored on the patient.
    Patient.objects.unscoped().filter(pk=patient.pk).update(registries_consent=ConsentStatus.WITHDRAWN)


def test_it_takes_every_consented_patient_and_nobody_else(swept):
    assert swept.sweep.added == 13
    assert ResearchCase.objects.count() == 13
    keys = set(ResearchLink.objects.values_list("patient_key", flat=True))
    assert patient_key(swept.patient.pk) not in keys  # care consent only
    assert keys == {patient_key(p.pk) for p in swept.consented}


def test_a_patient_without_registries_consent_never_reaches_the_store(world):
    for status in (ConsentStatus.REFUSED, ConsentStatus.NOT_ASKED, ConsentStatus.WITHDRAWN):
        Patient.objects.unscoped().filter(pk=world.consented[0].pk).update(registries_consent=status)
        run_sweep()
        assert patient_key(world.consented[0].pk) not in set(
            ResearchLink.objects.values_list("patient_key", flat=True)
        )
        assert ResearchCase.objects.count() == 12


def test_a_removed_patient_leaves_the_store(swept):
    Patient.objects.unscoped().filter(pk=swept.consented[0].pk).update(
        removed_at=datetime.datetime.now(datetime.UTC)
    )
    assert run_sweep().removed == 1
    assert ResearchCase.objects.count() == 12


def test_withdrawing_the_consent_removes_the_case_and_its_codes_at_the_next_sweep(swept):
    withdraw(swept.consented[12])
    result = run_sweep()
    assert (result.added, result.removed) == (0, 1)
    assert ResearchCase.objects.count() == 12
    assert ResearchDiagnosis.objects.filter(concept__code="G40.3").count() == 2
    assert not ResearchLink.objects.filter(patient_key=patient_key(swept.consented[12].pk)).exists()


def test_it_is_idempotent(swept):
    before = list(ResearchCase.objects.order_by("pk").values())
    again = run_sweep()
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 13)
    assert list(ResearchCase.objects.order_by("pk").values()) == before


def test_a_changed_case_is_rewritten_under_the_same_research_id(swept):
    from cpms.patients.models import CaseVariant

    patient = swept.consented[0]
    research_id = ResearchLink.objects.get(patient_key=patient_key(patient.pk)).case.research_id
    CaseVariant.objects.unscoped().filter(case__patient=patient).update(gene_symbol="FBN1")
    result = run_sweep()
    assert (result.updated, result.unchanged) == (1, 12)
    case = ResearchLink.objects.get(patient_key=patient_key(patient.pk)).case
    assert case.research_id == research_id
    assert list(ResearchGene.objects.filter(case=case).values_list("symbol", flat=True)) == ["FBN1"]


def test_it_anonymises_on_entry(swept):
    case = ResearchLink.objects.get(patient_key=patient_key(swept.consented[1].pk)).case
    assert case.research_id.startswith("R") and swept.consented[1].pseudonym not in case.research_id
    assert case.country == "DE"  # the centre's country, never the centre
    assert case.age_band == AgeBand.YOUNG_ADULT  # born 1990, entered 2026
    assert case.entry_year == swept.consented[1].enrolled_at.year
    assert case.sex == "female" and case.onset == "HP:0003593"
    assert set(case.diagnoses.values_list("concept__code", "certainty")) == {("ORPHA:33069", "confirmed")}
    # Born in the 1990s: 8 women of 18–39 in Germany share it; the 2 men do not (fewer than 5).
    assert case.birth_decade == 1990
    man = ResearchLink.objects.get(patient_key=patient_key(swept.consented[8].pk)).case
    assert man.birth_decade is None
    field_names = {field.name for field in ResearchCase._meta.get_fields()}
    assert not field_names & {"pseudonym", "centre", "patient", "year_of_birth", "birth_date"}


def test_a_country_with_few_cases_becomes_other(world, settings):
    settings.RESEARCH_SUPPRESSION_THRESHOLD = 14  # 13 cases in Germany: fewer than k
    run_sweep()
    assert set(ResearchCase.objects.values_list("country", flat=True)) == {OTHER_COUNTRY}


def test_it_is_audited_with_counts_only(swept):
    withdraw(swept.consented[0])
    run_sweep()
    events = list(AuditEvent.objects.filter(action=SWEEP_RAN).order_by("id"))
    assert [e.data for e in events] == [
        {"added": 13, "updated": 0, "removed": 0, "unchanged": 0},
        {"added": 0, "updated": 0, "removed": 1, "unchanged": 12},
    ]
    assert all(e.actor_id is None and e.target_id in ("", None) for e in events)


def test_the_command_and_the_task_run_it(world, capsys):
    call_command("research_sweep")
    assert "13 added, 0 updated, 0 removed, 0 unchanged" in capsys.readouterr().out
    assert sweep.apply().get() == {"added": 0, "updated": 0, "removed": 0, "unchanged": 13}


def terms_of(patient) -> set[str]:
    case = ResearchLink.objects.get(patient_key=patient_key(patient.pk)).case
    return set(ResearchPhenotypeTerm.objects.filter(case=case).values_list("concept__code", flat=True))


def test_it_writes_each_case_s_phenotype_terms_with_all_their_ancestors(swept):
    ancestors = set(Ancestry().of(Concept.objects.get(code="HP:0001250").pk))
    assert len(ancestors) > 1  # Seizure is under more general terms
    above_seizure = set(Concept.objects.filter(pk__in=ancestors).values_list("code", flat=True))
    assert terms_of(swept.consented[0]) == {"HP:0007359", *above_seizure}  # focal-onset seizure
    assert terms_of(swept.consented[5]) == above_seizure  # seizure
    assert terms_of(swept.consented[11]) == set()  # no phenotype


def test_each_term_carries_its_case_s_ern(swept):
    terms = ResearchPhenotypeTerm.objects.select_related("case")
    assert terms.exists()
    assert all(term.ern_id == term.case.ern_id == swept.rnd.ern.pk for term in terms)


def test_an_excluded_phenotype_gives_no_term(db):
    assert Ancestry().terms([(1, True)]) == ()


def test_a_change_of_the_hpo_tree_rewrites_the_terms_at_the_next_sweep(swept):
    Hierarchy.objects.filter(child__code="HP:0007359", parent__code="HP:0001250").delete()
    assert run_sweep().updated == 3  # the focal-onset seizures
    assert "HP:0001250" not in terms_of(swept.consented[0])
    assert "HP:0001250" in terms_of(swept.consented[5])
