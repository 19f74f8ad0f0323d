"""Expert groups: the coordinators of the group's ERN create, rename, delete them and set their
members; everyone else reads them."""

import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import ExpertGroup


@pytest.fixture
def group(world):
    group = ExpertGroup.objects.create(ern=world.rnd.ern, name="Movement disorders board")
    group.members.add(world.expert)
    return group


def test_a_coordinator_creates_a_group_with_members(client, world):
    sign_in(client, world.triager)
    create = reverse("panels:expert-group-create")
    assert client.get(create).status_code == 200  # the one ERN they coordinate
    response = client.post(
        create,
        {"ern": world.rnd.ern.pk, "name": "Ataxia board", "members": [world.expert.pk, world.guest.pk]},
    )
    group = ExpertGroup.objects.get(name="Ataxia board")
    assert response.url == reverse("panels:expert-group-detail", args=[group.pk])
    assert set(group.members.all()) == {world.expert, world.guest} and group.ern == world.rnd.ern
    assert AuditEvent.objects.filter(action="panels.expert_group.created", actor_id=world.triager.pk).exists()


def test_a_coordinator_renames_and_changes_members(client, world, group):
    sign_in(client, world.triager)
    edit = reverse("panels:expert-group-edit", args=[group.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"name": "Movement board", "members": [world.guest.pk]})
    group.refresh_from_db()
    assert group.name == "Movement board" and list(group.members.all()) == [world.guest]
    event = AuditEvent.objects.get(action="panels.expert_group.changed")
    assert event.data["name"] == {"old": "Movement disorders board", "new": "Movement board"}
    assert event.data["members"] == {"old": [world.expert.pk], "new": [world.guest.pk]}


def test_a_coordinator_deletes_a_group(client, world, group):
    sign_in(client, world.triager)
    response = client.post(reverse("panels:expert-group-delete", args=[group.pk]))
    assert response.url == reverse("panels:expert-group-list")
    assert not ExpertGroup.objects.exists()
    assert AuditEvent.objects.filter(action="panels.expert_group.deleted").exists()


def test_members_of_the_group_must_be_experts_of_its_ern(client, world, group):
    sign_in(client, world.triager)
    edit = reverse("panels:expert-group-edit", args=[group.pk])
    response = client.post(edit, {"name": "Board", "members": [world.researcher.pk]})
    assert response.status_code == 400
    response = client.post(edit, {"name": "Board", "members": [world.other_ern.pk]})  # EURO-NMD only
    assert response.status_code == 400
    assert list(group.members.all()) == [world.expert]


def test_two_groups_of_an_ern_do_not_share_a_name(client, world, group):
    sign_in(client, world.triager)
    response = client.post(
        reverse("panels:expert-group-create"), {"ern": world.rnd.ern.pk, "name": "movement disorders BOARD"}
    )
    assert response.status_code == 400 and b"has a group of this name already" in response.content
    response = client.post(reverse("panels:expert-group-create"), {"ern": world.rnd.ern.pk, "name": "   "})
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["expert", "dispatcher", "enrolling", "guest", "other_ern"])
def test_only_the_coordinators_of_its_ern_manage_it(client, world, group, role):
    sign_in(client, getattr(world, role))
    assert client.get(reverse("panels:expert-group-edit", args=[group.pk])).status_code == 403
    assert client.post(reverse("panels:expert-group-edit", args=[group.pk]), {"name": "X"}).status_code == 403
    assert client.post(reverse("panels:expert-group-delete", args=[group.pk])).status_code == 403
    create = reverse("panels:expert-group-create")
    assert client.post(create, {"ern": world.rnd.ern.pk, "name": "Mine"}).status_code == 403
    group.refresh_from_db()
    assert group.name == "Movement disorders board"


def test_everyone_sees_the_groups(client, world, group):
    sign_in(client, world.guest)
    listed = client.get(reverse("panels:expert-group-list"))
    assert b"Movement disorders board" in listed.content and b"New expert group" not in listed.content
    detail = client.get(reverse("panels:expert-group-detail", args=[group.pk]))
    assert b"Erik Larsen" in detail.content and b"Delete the group" not in detail.content
    assert client.get(reverse("panels:expert-group-detail", args=[group.pk + 99])).status_code == 404


@pytest.mark.parametrize("ern", ["", "x", "0", "-1"])
def test_a_hostile_ern_is_a_403(client, world, ern):
    sign_in(client, world.other_ern)  # coordinates EURO-NMD, not ERN-RND
    assert (
        client.post(reverse("panels:expert-group-create"), {"ern": ern or world.rnd.ern.pk}).status_code
        == 403
    )
