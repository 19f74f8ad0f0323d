import json

import pytest
from django.test import Client
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Annotation, Study

# Session, user, the gate, the study with its patient, the membership, the annotations, their slices.
LIST_QUERIES = 7


def list_url(study) -> str:
    return reverse("imaging:annotation-list", args=[study.pk])


def detail_url(annotation) -> str:
    return reverse("imaging:annotation-detail", args=[annotation.study_id, annotation.pk])


def body(world, **changes) -> dict:
    instance = world.study.series.get().instances.order_by("slice_position")[4]
    value = {
        "series": instance.series_id,
        "sop_uid": instance.sop_uid,
        "tool": "length",
        "data": {"points": [[10.5, 20], [80, 90.25]]},
        "text": "",
    }
    return {**value, **changes}


def post(client, world, value) -> object:
    return client.post(list_url(world.study), json.dumps(value), content_type="application/json")


def test_a_member_draws_and_another_member_sees_it_with_the_author(client, world):
    sign_in(client, world.expert)
    response = post(
        client, world, body(world, tool="arrow", data={"points": [[1, 2], [30, 40]]}, text=" Lesion ")
    )
    assert response.status_code == 201
    row = response.json()
    assert row["author"] == "Erik Larsen"
    assert row["mine"] is True
    assert row["text"] == "Lesion"
    assert row["slice_label"] == "T1 axial, image 5"
    saved = Annotation.objects.get(pk=row["id"])
    assert saved.author == world.expert
    assert saved.data == {"points": [[1.0, 2.0], [30.0, 40.0]]}
    other = Client()
    sign_in(other, world.guest_member)
    rows = other.get(list_url(world.study)).json()["annotations"]
    assert [(r["id"], r["author"], r["mine"], r["text"]) for r in rows] == [
        (saved.pk, "Erik Larsen", False, "Lesion")
    ]
    assert AuditEvent.objects.filter(action="imaging.annotation.added", actor_id=world.expert.pk).count() == 1


def test_only_the_author_changes_or_deletes(client, world):
    sign_in(client, world.expert)
    row = post(client, world, body(world)).json()
    other = Client()
    sign_in(other, world.guest_member)
    annotation = Annotation.objects.get(pk=row["id"])
    changed = {"data": {"points": [[0, 0], [5, 5]]}}
    refused = other.patch(detail_url(annotation), json.dumps(changed), content_type="application/json")
    assert refused.status_code == 403
    assert other.delete(detail_url(annotation)).status_code == 403
    annotation.refresh_from_db()
    assert annotation.data == {"points": [[10.5, 20.0], [80.0, 90.25]]} and annotation.deleted_at is None

    response = client.patch(detail_url(annotation), json.dumps(changed), content_type="application/json")
    assert response.status_code == 200
    annotation.refresh_from_db()
    assert annotation.data == {"points": [[0.0, 0.0], [5.0, 5.0]]}
    assert client.delete(detail_url(annotation)).status_code == 204
    assert client.get(list_url(world.study)).json()["annotations"] == []
    assert client.delete(detail_url(annotation)).status_code == 404
    actions = set(AuditEvent.objects.filter(actor_id=world.expert.pk).values_list("action", flat=True))
    assert {"imaging.annotation.changed", "imaging.annotation.deleted"} <= actions


def test_a_change_keeps_the_tool(client, world):
    sign_in(client, world.expert)
    row = post(client, world, body(world)).json()
    annotation = Annotation.objects.get(pk=row["id"])
    value = {"tool": "angle", "data": {"points": [[0, 0], [5, 5], [9, 1]]}}
    response = client.patch(detail_url(annotation), json.dumps(value), content_type="application/json")
    assert response.status_code == 400
    annotation.refresh_from_db()
    assert annotation.tool == "length"


@pytest.mark.parametrize("who", ["other_centre", "guest", "researcher", "other_ern", "invited", "triager"])
def test_outsiders_get_404_and_write_nothing(client, world, who):
    sign_in(client, world.expert)
    annotation = Annotation.objects.get(pk=post(client, world, body(world)).json()["id"])
    outsider = Client()
    sign_in(outsider, getattr(world, who))
    assert outsider.get(list_url(world.study)).status_code == 404
    assert post(outsider, world, body(world)).status_code == 404
    assert outsider.delete(detail_url(annotation)).status_code == 404
    assert Annotation.objects.filter(deleted_at__isnull=True).count() == 1


def test_a_study_waiting_for_its_check_is_not_annotated(client, world):
    Study.objects.unscoped().filter(pk=world.study.pk).update(status=Study.Status.REVIEW)
    sign_in(client, world.enrolling)
    response = post(client, world, body(world))
    assert response.status_code == 409
    assert "confirmed" in response.json()["error"]
    assert not Annotation.objects.exists()


def test_it_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, world.expert)
    assert post(client, world, body(world)).status_code == 403
    assert not Annotation.objects.exists()


def test_the_list_queries_do_not_grow_with_the_annotations(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    post(client, world, body(world))
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(list_url(world.study)).status_code == 200
    for _ in range(5):
        post(client, world, body(world, tool="angle", data={"points": [[1, 1], [2, 2], [3, 1]]}))
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get(list_url(world.study)).json()["annotations"]) == 6


def test_it_refuses_other_methods(client, world):
    sign_in(client, world.expert)
    assert client.put(list_url(world.study)).status_code == 405
