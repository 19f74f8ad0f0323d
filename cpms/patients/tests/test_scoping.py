import pytest

from ..models import Case, CaseDiagnosis, Consent, Document, Patient
from ..scoping import UnscopedQuery


@pytest.mark.parametrize("model", [Patient, Consent, Document, Case, CaseDiagnosis])
def test_it_raises_on_a_query_without_a_scope(db, model):
    with pytest.raises(UnscopedQuery):
        model.objects.filter(pk=1)
    with pytest.raises(UnscopedQuery):
        model.objects.all()


def test_it_reads_a_patients_rows_through_the_patient(world):
    assert [consent.kind for consent in world.patient.consents.all()] == ["care"]


def test_it_reads_only_the_centres_asked_for(world):
    assert list(Patient.objects.at_centres([world.de05.pk])) == []
    assert list(Patient.objects.at_centres([world.de22.pk])) == [world.patient]
