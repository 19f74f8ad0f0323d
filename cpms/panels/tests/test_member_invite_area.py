import pytest
from django.urls import reverse

from cpms.test import sign_in

from ..models import Membership, Notification
from .members_helpers import area, follow


def url(panel) -> str:
    return reverse("panels:member-invite-area", args=[panel.pk])


def test_the_lead_invites_everyone_following_the_thematic_area(client, world):
    ataxia, ftd = area(world.rnd.ern), area(world.rnd.ern, "ftd", "Frontotemporal dementia")
    follow(world.other_centre, ataxia)
    follow(world.guest, ataxia, ftd)
    follow(world.researcher, ataxia)  # no HP access: not an expert
    follow(world.triager, ftd)
    sign_in(client, world.enrolling)
    client.post(url(world.panel), {"area": ataxia.pk})
    invited = Membership.objects.filter(panel=world.panel, via="thematic_area")
    assert {m.user for m in invited} == {world.other_centre, world.guest}
    assert Notification.objects.filter(kind="invited").count() == 2


def test_nobody_follows_it(client, world):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"area": area(world.rnd.ern).pk}, follow=True)
    assert b"Nobody to invite" in response.content


def test_only_the_lead(client, world):
    ataxia = area(world.rnd.ern)
    follow(world.other_centre, ataxia)
    for role in ("expert", "triager", "invited"):
        sign_in(client, getattr(world, role))
        assert client.post(url(world.panel), {"area": ataxia.pk}).status_code == 403
    assert not Membership.objects.filter(panel=world.panel, user=world.other_centre).exists()


@pytest.mark.parametrize("data", [{}, {"area": ""}, {"area": "0"}, {"area": "x" * 100}])
def test_a_hostile_post_gets_a_message(client, world, data):
    sign_in(client, world.enrolling)
    assert client.post(url(world.panel), data, follow=True).status_code == 200
