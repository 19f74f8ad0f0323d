"""Hostile annotation bodies: each gets a 4xx with a message, never a 500, and nothing is written."""

import json

import pytest
from django.urls import reverse

from cpms.test import sign_in

from ..models import Annotation
from .factories import make_stored_study


@pytest.fixture
def signed_in(client, world):
    sign_in(client, world.expert)
    return client


def good(world) -> dict:
    instance = world.study.series.get().instances.first()
    return {
        "series": instance.series_id,
        "sop_uid": instance.sop_uid,
        "tool": "length",
        "data": {"points": [[1, 2], [3, 4]]},
    }


def send(client, world, raw: bytes | str):
    return client.post(
        reverse("imaging:annotation-list", args=[world.study.pk]), raw, content_type="application/json"
    )


HOSTILE = {
    "not json": "{not json",
    "a list": "[1, 2]",
    "a string": '"length"',
    "not utf-8": b"\xff\xfe{}",
    "deep nesting": "[" * 5000 + "]" * 5000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_it_refuses_a_body_that_is_not_an_object(signed_in, world, name):
    response = send(signed_in, world, HOSTILE[name])
    assert response.status_code in (400, 413)
    assert response.json()["error"]
    assert not Annotation.objects.exists()


def test_it_refuses_a_huge_body(signed_in, world):
    value = {**good(world), "text": "x" * 20000}
    response = send(signed_in, world, json.dumps(value))
    assert response.status_code == 413
    assert not Annotation.objects.exists()


CHANGES = {
    "unknown tool": {"tool": "freehand"},
    "no tool": {"tool": None},
    "no image": {"sop_uid": None},
    "an image of nowhere": {"sop_uid": "1.2.3.4"},
    "an overlong uid": {"sop_uid": "1" * 65},
    "a uid as a number": {"sop_uid": 12},
    "the wrong series": {"series": 999999},
    "no data": {"data": None},
    "points not a list": {"data": {"points": "1,2;3,4"}},
    "too few points": {"data": {"points": [[1, 2]]}},
    "too many points": {"data": {"points": [[1, 2], [3, 4], [5, 6]]}},
    "a point of three": {"data": {"points": [[1, 2, 3], [3, 4]]}},
    "a text coordinate": {"data": {"points": [["1", 2], [3, 4]]}},
    "a boolean coordinate": {"data": {"points": [[True, 2], [3, 4]]}},
    "a huge coordinate": {"data": {"points": [[1e300, 2], [3, 4]]}},
    "far off the image": {"data": {"points": [[100000, 2], [3, 4]]}},
    "text not a string": {"text": ["a"]},
    "text too long": {"text": "x" * 501},
    "an arrow without text": {"tool": "arrow", "text": "   "},
    "an angle with two points": {"tool": "angle"},
}


@pytest.mark.parametrize("name", CHANGES)
def test_it_refuses_a_wrong_field_with_a_message(signed_in, world, name):
    response = send(signed_in, world, json.dumps({**good(world), **CHANGES[name]}))
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert not Annotation.objects.exists()


def test_it_refuses_nan_and_infinity(signed_in, world):
    raw = json.dumps(good(world)).replace("[1, 2]", "[NaN, Infinity]")
    assert "NaN" in raw
    assert send(signed_in, world, raw).status_code == 400
    assert not Annotation.objects.exists()


def test_it_refuses_an_image_of_another_study_of_the_same_patient(signed_in, world):
    other = make_stored_study(world.patient, slices=1, panels=[world.panel])
    foreign = other.series.get().instances.get()
    value = {**good(world), "series": foreign.series_id, "sop_uid": foreign.sop_uid}
    assert send(signed_in, world, json.dumps(value)).status_code == 400
    assert not Annotation.objects.exists()


def test_a_refused_change_keeps_what_was_saved(signed_in, world):
    row = send(signed_in, world, json.dumps(good(world))).json()
    url = reverse("imaging:annotation-detail", args=[world.study.pk, row["id"]])
    for raw in ("{oops", json.dumps({"data": {"points": [[1, 2]]}}), json.dumps({"text": 5})):
        assert signed_in.patch(url, raw, content_type="application/json").status_code == 400
    saved = Annotation.objects.get()
    assert saved.data == {"points": [[1.0, 2.0], [3.0, 4.0]]}


def test_it_accepts_the_good_body(signed_in, world):
    assert send(signed_in, world, json.dumps(good(world))).status_code == 201
