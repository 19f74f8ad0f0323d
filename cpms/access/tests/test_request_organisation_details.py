"""The "Details" of an organisation in step 2: a page, or a fragment for htmx."""

import pytest

from cpms.access.models import Application
from cpms.access.tests.factories import make_application, make_tree
from cpms.test import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd():
    tree = make_tree()
    tree.hcp.city = "Tübingen"
    tree.hcp.website = "https://www.medizin.uni-tuebingen.de/"
    tree.hcp.save()
    return tree


def url(node_id) -> str:
    return f"/access/request/organisation/{node_id}/"


def test_it_asks_anonymous_users_to_sign_in(client, rnd):
    response = client.get(url(rnd.hcp.pk))
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_it_shows_code_name_city_website_and_place_in_the_tree(client, alice, rnd):
    sign_in(client, alice)
    response = client.get(url(rnd.hcp.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page
    for expected in (
        "DE22",
        "University Hospital and Faculty of Medicine Tubingen",
        "Tübingen",
        'href="https://www.medizin.uni-tuebingen.de/"',
        "ERN-RND - Neurological Diseases / Germany / DE22 - University Hospital",
    ):
        assert expected in page
    assert f'href="/access/request/organisation/?node={rnd.country.pk}"' in page


def test_it_answers_htmx_with_a_fragment(client, alice, rnd):
    sign_in(client, alice)
    response = client.get(url(rnd.ern.pk), headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "ERN-RND - Neurological Diseases" in page


def test_it_keeps_the_headings_in_order(client, alice, rnd):
    """Under the page's h1 the node is an h2; in the fragment, under step 2's h2, an h3."""
    sign_in(client, alice)
    heading = f'class="h6 card-title" id="organisation-details-{rnd.hcp.pk}"'
    assert f"<h2 {heading}>" in client.get(url(rnd.hcp.pk)).content.decode()
    fragment = client.get(url(rnd.hcp.pk), headers={"HX-Request": "true"}).content.decode()
    assert f"<h3 {heading}>" in fragment


def test_it_hides_nodes_of_closed_applications_and_missing_ones(client, alice):
    closed = make_application(code="aac", name="AAC")
    Application.objects.filter(pk=closed.pk).update(is_requestable=False)
    tree = make_tree(application=closed)
    sign_in(client, alice)
    assert client.get(url(tree.hcp.pk)).status_code == 404
    assert client.get(url(999999)).status_code == 404
