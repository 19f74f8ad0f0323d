import pytest
from django.urls import reverse

from cpms.access.tests.factories import make_grant
from cpms.patients.tests.factories import in_cpms, make_patient
from cpms.test import make_user, sign_in

from ..models import Membership, PanelStatus
from .factories import add_member, make_panel
from .members_helpers import area, contribute, follow, give_phenotype

# Session and user, the gate (grants, profile and navigation centres in one), the header's unread
# notifications, the panel, the membership, the audit row; the memberships and the places of their people.
QUERIES_MEMBER = 9
OUTSIDE = ("other_centre", "guest", "researcher", "other_ern")


def url(panel) -> str:
    return reverse("panels:panel-members", args=[panel.pk])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(url(world.panel))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("role", OUTSIDE)
def test_it_answers_404_outside_the_panel(client, world, role):
    sign_in(client, getattr(world, role))
    assert client.get(url(world.panel)).status_code == 404


def test_it_shows_who_is_in_who_was_invited_and_who_declined(client, world):
    declining = in_cpms(make_user("ndecli01", "dora@example.org", "Dora", "Klein"), world.de05)
    add_member(
        world.panel, declining, status=Membership.Status.DECLINED, decline_reason="On leave until March."
    )
    sign_in(client, world.expert)
    response = client.get(url(world.panel))
    assert response.status_code == 200
    text = response.content.decode()
    members = text.split('id="members"')[1].split("</table>")[0]
    assert "Helena Weber" in members and "Panel lead" in members
    assert "Erik Larsen" in members and "DE05" in members
    assert "Gustav Berg" in members and "guest" in members
    invited = text.split('id="invited"')[1].split("</table>")[0]
    assert "Ines Moreau" in invited
    declined = text.split('id="declined"')[1].split("</table>")[0]
    assert "Dora Klein" in declined and "On leave until March." in declined
    assert "Invite members" not in text  # a member, not the lead


def test_the_lead_sees_the_ways_to_invite(client, world):
    sign_in(client, world.enrolling)
    response = client.get(url(world.panel))
    assert b"Invite members" in response.content
    assert b"Remove from the panel" in response.content


def test_on_a_closed_panel_the_lead_cannot_invite(client, world):
    world.panel.status = PanelStatus.CLOSED
    world.panel.save()
    sign_in(client, world.enrolling)
    assert b"Invite members" not in client.get(url(world.panel)).content


def test_the_lead_searches_the_directory_by_name_and_erns_guests_included(client, world):
    sign_in(client, world.enrolling)
    response = client.get(url(world.panel), {"q": "rossi"})
    results = response.content.decode().split('id="results"')[1].split("</table>")[0]
    assert "Sofia Rossi" in results and "guest" in results
    response = client.get(url(world.panel), {"ern": world.nmd.ern.pk})
    results = response.content.decode().split('id="results"')[1].split("</table>")[0]
    assert "Marta Kowalska" in results and "Sofia Rossi" not in results


def test_the_lead_searches_by_centre_and_thematic_area(client, world):
    ataxia = area(world.rnd.ern)
    follow(world.other_centre, ataxia)
    sign_in(client, world.enrolling)
    results = client.get(url(world.panel), {"area": ataxia.pk}).content.decode()
    assert "Lena Fischer" in results.split('id="results"')[1]
    results = client.get(url(world.panel), {"centre_code": "de42"}).content.decode()
    assert "Marta Kowalska" in results.split('id="results"')[1]
    assert "No expert matches" in client.get(url(world.panel), {"centre_code": "XX99"}).content.decode()


def test_a_hostile_search_is_no_500(client, world):
    sign_in(client, world.enrolling)
    for query in ({"ern": "x"}, {"area": "999999"}, {"after": "-1"}, {"q": "a" * 500}, {"group": "0"}):
        assert client.get(url(world.panel), query).status_code == 200


def test_members_see_similar_past_panels_pseudonymised(client, world):
    give_phenotype(world.patient, "HP:0001251", "HP:0002066")
    other = make_patient(world.de22, enrolled_by=world.enrolling)
    give_phenotype(other, "HP:0001251", "HP:0002070")
    past = make_panel(other, world.enrolling, status=PanelStatus.CLOSED)
    sign_in(client, world.expert)
    text = client.get(url(world.panel)).content.decode()
    similar = text.split('id="similar"')[1].split("</table>")[0]
    assert past.reference in similar and other.pseudonym in similar and "Closed" in similar


def test_invited_people_see_no_similar_panels(client, world):
    give_phenotype(world.patient, "HP:0001251")
    sign_in(client, world.invited)
    response = client.get(url(world.panel))
    assert response.status_code == 200 and b"Similar past panels" not in response.content


def test_the_lead_sees_suggested_experts_explained(client, world):
    give_phenotype(world.patient, "HP:0001251", "HP:0002066", "HP:0001260")
    other = make_patient(world.de22, enrolled_by=world.enrolling)
    give_phenotype(other, "HP:0001251", "HP:0002066", "HP:0000639")
    past = make_panel(other, world.enrolling, status=PanelStatus.CLOSED)
    add_member(past, world.other_centre)
    contribute(past, world.other_centre)
    sign_in(client, world.enrolling)
    text = client.get(url(world.panel)).content.decode()
    suggestions = text.split('id="suggestions"')[1].split("</ul>\n  {% endif")[0]
    assert "Lena Fischer" in suggestions
    assert "shares 2 of 3 phenotypes with 1 panel they joined" in suggestions
    assert "Erik Larsen" not in suggestions  # on the panel already


def test_a_member_removed_loses_the_tab_on_the_next_request(client, world):
    sign_in(client, world.expert)
    assert client.get(url(world.panel)).status_code == 200
    membership = Membership.objects.get(panel=world.panel, user=world.expert)
    lead = sign_in(client.__class__(), world.enrolling)
    lead.post(reverse("panels:member-remove", args=[world.panel.pk, membership.pk]))
    assert client.get(url(world.panel)).status_code == 404


def test_its_queries_are_a_fixed_few_for_a_member(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    client.get(url(world.panel))
    with django_assert_num_queries(QUERIES_MEMBER + 1):  # + similar panels: the case's terms, none
        client.get(url(world.panel))
    for n in range(5):
        add_member(
            world.panel, in_cpms(make_user(f"nmore{n:03d}", f"m{n}@example.org", "M", f"{n}"), world.de05)
        )
    with django_assert_num_queries(QUERIES_MEMBER + 1):
        client.get(url(world.panel))


def test_the_leads_page_costs_the_same_with_more_experts(client, world, django_assert_num_queries):
    give_phenotype(world.patient, "HP:0001251")
    sign_in(client, world.enrolling)
    client.get(url(world.panel))
    # + the search (6), groups and areas to invite (2), suggestions (6) and similar panels (3).
    with django_assert_num_queries(QUERIES_MEMBER + 17) as first:
        client.get(url(world.panel), {"q": "a"})
    ataxia = area(world.rnd.ern)
    for n in range(6):
        expert = make_user(f"nexp{n:04d}", f"x{n}@example.org", "Xavier", f"Expert{n}")
        make_grant(expert, world.de05)
        follow(expert, ataxia)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url(world.panel), {"q": "a"})
