import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.coding.models import Concept, System
from cpms.patients.actions.case import do_save_case_diagnoses, do_save_case_fields, do_save_case_phenotypes
from cpms.test import sign_in

from ..models import Membership
from .factories import add_member

READERS = ("enrolling", "expert", "guest_member", "triager", "dispatcher")
IDENTITY = ("Mathilde", "Grünwald", "TUE-4471-93", "1987-03-14", "14/03/1987")
# Session and user, the gate (grants, profile and navigation centres in one), the panel, the membership, the
# audit row, the case, its diagnoses, phenotypes, variants and attachments, the header's unread notifications.
QUERIES = 12


def url(panel) -> str:
    return reverse("panels:panel-case", args=[panel.pk])


@pytest.fixture
def case(world):
    hpo = Concept.objects.create(system=System.HPO, code="HP:0001251", label="Ataxia")
    orpha = Concept.objects.create(system=System.ORPHA, code="ORPHA:98755", label="Spinocerebellar ataxia")
    patient, user = world.patient, world.enrolling
    do_save_case_fields(
        acting_user=user,
        patient=patient,
        section="history",
        values={"clinical_history": "Gait trouble since 30."},
    )
    do_save_case_fields(
        acting_user=user, patient=patient, section="treatment", values={"treatment": "Physio."}
    )
    do_save_case_phenotypes(
        acting_user=user, patient=patient, rows=[{"concept": hpo, "excluded": False, "onset": ""}]
    )
    do_save_case_diagnoses(
        acting_user=user,
        patient=patient,
        undiagnosed=False,
        rows=[{"concept": orpha, "certainty": "suspected", "is_main": True}],
    )
    world.panel.shared_sections = ["history", "diagnosis", "phenotype"]
    world.panel.save(update_fields=["shared_sections"])
    return world


@pytest.mark.parametrize("role", READERS)
def test_it_shows_the_shared_sections_and_nothing_that_identifies(client, case, role):
    sign_in(client, getattr(case, role))
    response = client.get(url(case.panel))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.patient.pseudonym in body and "1987" in body
    assert "Gait trouble since 30." in body and "HP:0001251" in body and "ORPHA:98755" in body
    assert "Physio." not in body  # treatment is not shared
    assert not [value for value in IDENTITY if value in body]


def test_it_is_audited_as_a_read_of_the_panel(client, case):
    sign_in(client, case.expert)
    client.get(url(case.panel))
    event = AuditEvent.objects.get(action="panels.panel.viewed")
    assert event.data == {"pseudonym": case.patient.pseudonym, "what": "panels:panel-case"}


def test_an_invitee_who_has_not_accepted_gets_403(client, world):
    sign_in(client, world.invited)
    assert client.get(url(world.panel)).status_code == 403


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern"])
def test_people_outside_get_404(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(url(world.panel)).status_code == 404


def test_a_removed_member_loses_it_on_the_next_request(client, case):
    sign_in(client, case.expert)
    assert client.get(url(case.panel)).status_code == 200
    Membership.objects.filter(panel=case.panel, user=case.expert).update(status=Membership.Status.REMOVED)
    assert client.get(url(case.panel)).status_code == 404


def test_without_a_case_it_says_so(client, world):
    sign_in(client, world.expert)
    response = client.get(url(world.panel))
    assert response.status_code == 200 and b"No case recorded yet" in response.content


def test_with_nothing_shared_it_says_so(client, case):
    case.panel.shared_sections = []
    case.panel.save(update_fields=["shared_sections"])
    sign_in(client, case.expert)
    response = client.get(url(case.panel))
    assert b"No section shared" in response.content and b"Gait trouble" not in response.content


def test_its_queries_do_not_grow_with_the_case(client, case, django_assert_num_queries):
    sign_in(client, case.expert)
    client.get(url(case.panel))
    with django_assert_num_queries(QUERIES):
        client.get(url(case.panel))
    more = [
        Concept.objects.create(system=System.HPO, code=f"HP:00099{n:02d}", label=f"Sign {n}")
        for n in range(9)
    ]
    do_save_case_phenotypes(
        acting_user=case.enrolling,
        patient=case.patient,
        rows=[{"concept": concept, "excluded": False, "onset": ""} for concept in more],
    )
    add_member(case.panel, case.other_centre)
    with django_assert_num_queries(QUERIES):
        client.get(url(case.panel))
