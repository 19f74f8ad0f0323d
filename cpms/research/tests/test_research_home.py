"""The Research page: the researcher's ERNs and their own saved queries; 404 for anyone else."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpms.access.models import Grant
from cpms.test import sign_in

from ..models import SavedQuery

URL = "/cpms/research/"
# Session and user, the gate, the header's notifications; the ERNs; the saved queries.
QUERIES = 6


def test_it_is_the_research_entry_of_the_navigation():
    assert reverse("research:research-home") == URL


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.url


@pytest.mark.parametrize("who", ["enrolling", "other_centre", "guest", "coordinator", "other_ern"])
def test_it_is_404_without_a_researcher_grant(world, who):
    assert sign_in(Client(), getattr(world, who)).get(URL).status_code == 404


def test_a_revoked_researcher_grant_closes_it(world):
    Grant.objects.filter(user=world.researcher, profile__code="researcher").update(revoked_at=timezone.now())
    response = sign_in(Client(), world.researcher).get(URL)
    assert response.status_code == 302 and response.url == reverse("clinical:no-access")


def test_it_offers_the_erns_query_and_an_empty_state(world):
    response = sign_in(Client(), world.researcher).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/cpms/research/{world.rnd.ern.pk}/"' in html and "ERN-RND" in html
    assert "No saved queries yet" in html


def test_it_lists_the_users_own_saved_queries_with_a_link_that_runs_them(world):
    SavedQuery.objects.create(
        user=world.researcher, ern=world.rnd.ern, name="Dravet by sex", parameters={"rows": "sex"}
    )
    SavedQuery.objects.create(user=world.enrolling, ern=world.rnd.ern, name="Someone else's", parameters={})
    html = sign_in(Client(), world.researcher).get(URL).content.decode()
    assert "Dravet by sex" in html and "Someone else&#x27;s" not in html and "Someone else's" not in html
    assert f"/cpms/research/{world.rnd.ern.pk}/?rows=sex&amp;run=1" in html


def test_its_query_count_is_pinned(world, django_assert_num_queries):
    SavedQuery.objects.create(user=world.researcher, ern=world.rnd.ern, name="One", parameters={})
    client = sign_in(Client(), world.researcher)
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200
