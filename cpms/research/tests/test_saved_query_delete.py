"""Deleting one's own saved query; 404 for anyone else's; audited."""

from django.test import Client

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..actions import QUERY_DELETED
from ..models import SavedQuery


def test_it_deletes_ones_own_saved_query(world):
    saved = SavedQuery.objects.create(user=world.researcher, ern=world.rnd.ern, name="Mine", parameters={})
    response = sign_in(Client(), world.researcher).post(f"/cpms/research/saved/{saved.pk}/delete/")
    assert response.status_code == 302 and response.url == "/cpms/research/"
    assert not SavedQuery.objects.exists()
    assert AuditEvent.objects.get(action=QUERY_DELETED).data == {"name": "Mine", "parameters": {}}


def test_it_is_404_for_someone_elses_or_a_missing_one(world, client):
    saved = SavedQuery.objects.create(user=world.enrolling, ern=world.rnd.ern, name="Theirs", parameters={})
    researcher = sign_in(Client(), world.researcher)
    assert researcher.post(f"/cpms/research/saved/{saved.pk}/delete/").status_code == 404
    assert researcher.post("/cpms/research/saved/999999/delete/").status_code == 404
    response = client.post(f"/cpms/research/saved/{saved.pk}/delete/")
    assert response.status_code == 302 and "/login" in response.url
    assert SavedQuery.objects.count() == 1
