from django.urls import reverse

from cpms.test import sign_in

from ..models import ExpertGroup
from .members_helpers import area, follow


def url(user) -> str:
    return reverse("panels:expert-detail", args=[user.pk])


def test_it_shows_an_expert_with_areas_groups_and_counts(client, world):
    follow(world.expert, area(world.rnd.ern))
    group = ExpertGroup.objects.create(ern=world.rnd.ern, name="Movement disorders board")
    group.members.add(world.expert)
    sign_in(client, world.other_ern)
    response = client.get(url(world.expert))
    text = response.content.decode()
    assert response.status_code == 200
    assert (
        "Erik Larsen" in text and "DE05" in text and "Ataxias" in text and "Movement disorders board" in text
    )
    assert 'id="panels-joined">1<' in text
    assert world.patient.pseudonym not in text


def test_someone_without_hp_access_is_not_in_the_directory(client, world):
    sign_in(client, world.expert)
    assert client.get(url(world.researcher)).status_code == 404
    assert client.get(reverse("panels:expert-detail", args=[987654])).status_code == 404


def test_its_queries_are_a_fixed_few(client, world, django_assert_num_queries):
    sign_in(client, world.guest)
    client.get(url(world.expert))
    with django_assert_num_queries(10):
        client.get(url(world.expert))


def test_ids_too_large_for_the_database_are_404(client, world):
    sign_in(client, world.enrolling)
    huge = 10**30
    for name in ("panels:expert-detail", "panels:expert-group-detail", "panels:expert-group-edit"):
        assert client.get(reverse(name, args=[huge])).status_code == 404
    response = client.post(reverse("panels:member-remove", args=[world.panel.pk, huge]), follow=True)
    assert b"This person is not on the panel." in response.content
