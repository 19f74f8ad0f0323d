import pytest
from django.urls import reverse

from cpms.test import sign_in

from ..models import ExpertGroup, Membership, Notification, PanelStatus


def url(panel) -> str:
    return reverse("panels:member-invite-group", args=[panel.pk])


@pytest.fixture
def group(world):
    group = ExpertGroup.objects.create(ern=world.rnd.ern, name="Movement disorders board")
    group.members.set([world.other_centre, world.guest, world.expert, world.researcher])
    return group


def test_the_lead_invites_a_whole_group_in_one_click(client, world, group):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"group": group.pk}, follow=True)
    invited = Membership.objects.filter(panel=world.panel, via="group", group=group)
    assert {m.user for m in invited} == {world.other_centre, world.guest}  # not the researcher (no HP)
    assert all(m.status == "invited" and m.invited_by == world.enrolling for m in invited)
    assert b"2 experts invited." in response.content
    assert b"1 was on the panel" in response.content  # the expert, a member already
    assert set(Notification.objects.filter(kind="invited").values_list("recipient_id", flat=True)) == {
        world.other_centre.pk,
        world.guest.pk,
    }


def test_a_second_click_invites_nobody_twice(client, world, group):
    sign_in(client, world.enrolling)
    client.post(url(world.panel), {"group": group.pk})
    client.post(url(world.panel), {"group": group.pk})
    assert Membership.objects.filter(panel=world.panel).count() == 6
    assert Notification.objects.filter(kind="invited").count() == 2


def test_only_the_lead_and_only_an_open_panel(client, world, group):
    sign_in(client, world.expert)
    assert client.post(url(world.panel), {"group": group.pk}).status_code == 403
    world.panel.status = PanelStatus.CLOSED
    world.panel.save()
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), {"group": group.pk}, follow=True)
    assert b"it cannot do that now" in response.content
    sign_in(client, world.other_ern)
    assert client.post(url(world.panel), {"group": group.pk}).status_code == 404
    assert Membership.objects.filter(panel=world.panel).count() == 4


@pytest.mark.parametrize("data", [{}, {"group": "x"}, {"group": "424242"}])
def test_a_hostile_post_gets_a_message(client, world, data):
    sign_in(client, world.enrolling)
    response = client.post(url(world.panel), data, follow=True)
    assert response.status_code == 200 and b"alert" in response.content
