import pytest
from django.urls import reverse

from cpms.access.tests.factories import make_grant
from cpms.test import make_user, sign_in

from ..models import ExpertGroup, Membership, PanelStatus
from .factories import add_member, make_panel
from .members_helpers import area, follow

URL = reverse("panels:expert-list")
# Gate (5: session, user, grants, profile, navigation) + the page + places, areas (2), groups, counts
# + the choices of the ERN, thematic area and expert group filters.
QUERIES = 13


def rows(response) -> str:
    return response.content.decode().split('id="experts"')[1].split("</table>")[0]


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.get(URL).url.startswith(reverse("identity:login"))


def test_it_lists_experts_with_their_centres_and_counts_never_a_patient(client, world):
    sign_in(client, world.researcher)
    response = client.get(URL)
    listed = rows(response)
    for name in ("Helena Weber", "Erik Larsen", "Sofia Rossi", "Marta Kowalska"):
        assert name in listed
    assert "Piet de Vries" not in listed  # a researcher holds no HP grant
    assert world.patient.pseudonym not in response.content.decode()
    assert world.panel.reference not in response.content.decode()


def test_it_filters_by_ern_centre_area_and_group(client, world):
    ataxia = area(world.rnd.ern)
    follow(world.expert, ataxia)
    group = ExpertGroup.objects.create(ern=world.rnd.ern, name="Board")
    group.members.add(world.guest)
    sign_in(client, world.expert)
    assert "Marta Kowalska" in rows(client.get(URL, {"ern": world.nmd.ern.pk}))
    assert "Erik Larsen" not in rows(client.get(URL, {"ern": world.nmd.ern.pk}))
    by_centre = rows(client.get(URL, {"centre_code": "DE22"}))
    assert "Helena Weber" in by_centre and "Erik Larsen" not in by_centre
    by_area = rows(client.get(URL, {"area": ataxia.pk}))
    assert "Erik Larsen" in by_area and "Helena Weber" not in by_area
    assert "Sofia Rossi" in rows(client.get(URL, {"group": group.pk}))
    assert "Sofia Rossi" in rows(client.get(URL, {"q": "sofia ROSSI"}))


def test_it_counts_panels_as_lead_and_as_member(client, world):
    make_panel(world.patient, world.enrolling, status=PanelStatus.CLOSED, lead=world.expert)
    sign_in(client, world.guest)
    response = client.get(reverse("panels:expert-detail", args=[world.expert.pk]))
    assert b'id="panels-led">1<' in response.content
    assert b'id="panels-joined">1<' in response.content


def test_it_pages_by_position(client, world):
    for n in range(30):
        make_grant(make_user(f"npage{n:03d}", f"p{n}@example.org", "Paula", f"Page{n:02d}"), world.de05)
    sign_in(client, world.expert)
    first = client.get(URL)
    assert rows(first).count("<tr>") == 1 + 25 and b'rel="next"' in first.content
    cursor = first.content.decode().split("after=")[1].split('"')[0]
    second = client.get(URL, {"after": cursor})
    assert rows(second).count("<tr>") == 1 + 14 and b'rel="prev"' in second.content


@pytest.mark.parametrize(
    "query", [{"after": "x"}, {"before": "-1"}, {"after": "9" * 40}, {"ern": "abc"}, {"q": "x" * 200}]
)
def test_hostile_filters_are_no_500(client, world, query):
    sign_in(client, world.expert)
    assert client.get(URL, query).status_code in (200, 400)


def test_its_queries_are_constant_in_rows(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
    ataxia = area(world.rnd.ern)
    for n in range(10):
        expert = make_user(f"nmany{n:03d}", f"y{n}@example.org", "Yann", f"Many{n}")
        make_grant(expert, world.de05)
        follow(expert, ataxia)
        add_member(world.panel, expert, status=Membership.Status.ACCEPTED)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
