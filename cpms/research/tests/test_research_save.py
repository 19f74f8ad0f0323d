"""Saving a query under a name (its parameters, never its result); audited."""

from django.test import Client

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..actions import QUERY_SAVED
from ..models import SavedQuery


def url(world) -> str:
    return f"/cpms/research/{world.rnd.ern.pk}/save/"


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.post(url(world), {"name": "x"})
    assert response.status_code == 302 and "/login" in response.url


def test_it_is_404_for_everyone_but_the_erns_researchers(world):
    for user in (world.enrolling, world.coordinator, world.other_ern):
        assert sign_in(Client(), user).post(url(world), {"name": "x"}).status_code == 404
    assert not SavedQuery.objects.exists()


def test_it_saves_the_query_and_runs_it_again(world):
    client = sign_in(Client(), world.researcher)
    response = client.post(
        url(world), {"name": "  Dravet   by sex ", "diagnosis": "orpha:33069", "rows": "sex"}
    )
    saved = SavedQuery.objects.get()
    assert (saved.user, saved.ern, saved.name) == (world.researcher, world.rnd.ern, "Dravet by sex")
    assert saved.parameters == {"diagnosis": "ORPHA:33069", "rows": "sex"}
    assert response.status_code == 302
    assert response.url == f"/cpms/research/{world.rnd.ern.pk}/?diagnosis=ORPHA%3A33069&rows=sex&run=1"
    event = AuditEvent.objects.get(action=QUERY_SAVED)
    assert event.data["parameters"] == saved.parameters and event.actor_id == world.researcher.pk


def test_a_missing_name_or_a_hostile_parameter_is_a_form_error(world):
    client = sign_in(Client(), world.researcher)
    for data in ({"name": "", "rows": "sex"}, {"name": "\x00"}, {"name": "ok", "rows": "pseudonym"}):
        response = client.post(url(world), data)
        assert response.status_code == 400
    assert not SavedQuery.objects.exists()


def test_it_accepts_posts_only(world):
    assert sign_in(Client(), world.researcher).get(url(world)).status_code == 405
