import pytest
from django.urls import reverse

from cpms.test import sign_in

from .outcome_helpers import draft


def compare_url(world, old, new):
    return reverse("panels:outcome-compare", args=[world.panel.pk]) + f"?from={old}&to={new}"


def test_it_shows_what_changed_between_two_versions(client, world):
    draft(world.panel, world.enrolling)
    draft(world.panel, world.enrolling, recommendations="Test the SCA repeat panel, then an exome.")
    sign_in(client, world.expert)
    page = client.get(compare_url(world, 1, 2)).content.decode()
    assert "What changed from version 1 to version 2" in page
    assert (
        "Test the SCA repeat <del>panel first (ATXN1, ATXN2, ATXN3, CACNA1A, ATXN7).</del> "
        "<ins>panel, then an exome.</ins>"
    ) in page
    assert "(unchanged)" in page  # the findings


@pytest.mark.parametrize("query", ("from=1&to=9", "from=abc&to=1", "to=1", "from=1&to=-1"))
def test_a_missing_or_hostile_version_is_404(client, world, query):
    draft(world.panel, world.enrolling)
    sign_in(client, world.expert)
    url = reverse("panels:outcome-compare", args=[world.panel.pk]) + f"?{query}"
    assert client.get(url).status_code == 404


def test_it_answers_403_to_an_invitee_and_404_off_the_panel(client, world):
    draft(world.panel, world.enrolling)
    draft(world.panel, world.enrolling, follow_up="Yearly.")
    sign_in(client, world.invited)
    assert client.get(compare_url(world, 1, 2)).status_code == 403
    sign_in(client, world.other_centre)
    assert client.get(compare_url(world, 1, 2)).status_code == 404
