import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Study
from ..stores import image_store
from .factories import make_stored_study

# Session, user, the gate, the study with its patient, the membership, the instance.
QUERIES = 6


def url(study, instance) -> str:
    return reverse("imaging:instance-file", args=[study.pk, instance.pk])


@pytest.fixture
def instance(world):
    return world.study.series.get().instances.order_by("slice_position")[5]


def test_it_sends_an_anonymous_visitor_to_sign_in(client, world, instance):
    assert client.get(url(world.study, instance)).status_code == 302


@pytest.mark.parametrize("who", ["other_centre", "guest", "researcher", "other_ern", "invited", "triager"])
def test_it_is_404_for_anyone_not_on_the_panel_or_at_the_centre(client, world, instance, who):
    sign_in(client, getattr(world, who))
    assert client.get(url(world.study, instance)).status_code == 404


@pytest.mark.parametrize("who", ["expert", "enrolling"])
def test_it_sends_the_stored_bytes_as_dicom(client, world, instance, who):
    sign_in(client, getattr(world, who))
    response = client.get(url(world.study, instance))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/dicom"
    assert "private" in response["Cache-Control"]
    assert response.content == image_store().read(instance.stored_name)
    assert response.content[128:132] == b"DICM"


def test_it_is_404_for_an_instance_of_another_study(client, world, instance):
    other = make_stored_study(world.patient, slices=2, panels=[])
    sign_in(client, world.expert)
    # The member may read world.study, not `other`: naming world.study with other's instance is not a way in.
    foreign = other.series.get().instances.first()
    assert client.get(url(world.study, foreign)).status_code == 404
    assert client.get(url(other, foreign)).status_code == 404
    assert client.get(reverse("imaging:instance-file", args=[world.study.pk, 999999])).status_code == 404


def test_it_is_404_for_a_member_while_the_study_waits_for_its_check(client, world, instance):
    Study.objects.unscoped().filter(pk=world.study.pk).update(status=Study.Status.REVIEW)
    sign_in(client, world.expert)
    assert client.get(url(world.study, instance)).status_code == 404


def test_it_does_not_audit_each_instance(client, world, instance):
    sign_in(client, world.expert)
    before = AuditEvent.objects.count()
    for row in world.study.series.get().instances.all()[:5]:
        assert client.get(url(world.study, row)).status_code == 200
    assert AuditEvent.objects.count() == before


def test_its_queries_are_pinned(client, world, instance, django_assert_num_queries):
    sign_in(client, world.expert)
    client.get(url(world.study, instance))
    with django_assert_num_queries(QUERIES):
        assert client.get(url(world.study, instance)).status_code == 200


def test_it_refuses_writes(client, world, instance):
    sign_in(client, world.expert)
    assert client.post(url(world.study, instance)).status_code == 405
    assert client.delete(url(world.study, instance)).status_code == 405
