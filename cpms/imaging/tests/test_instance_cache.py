"""An instance's bytes are kept by the browser (private, no-cache, a strong ETag) and revalidated on
each use: 304 only to someone who may still see the study, 404 to anyone else, even with the ETag."""

import pytest
from django.urls import reverse

from cpms.panels.models import Membership
from cpms.test import sign_in

from ..models import Instance
from ..stores import image_store

QUERIES = 6  # as a full answer (test_instance_file.py): the right is checked just the same


def url(study, instance) -> str:
    return reverse("imaging:instance-file", args=[study.pk, instance.pk])


@pytest.fixture
def instance(world):
    return world.study.series.get().instances.order_by("slice_position")[5]


def test_it_may_be_kept_by_the_browser_and_is_revalidated(client, world, instance):
    sign_in(client, world.expert)
    response = client.get(url(world.study, instance))
    assert response.status_code == 200
    assert response["ETag"] == f'"{instance.sha256}"'
    assert response["Cache-Control"] == "private, no-cache"  # no no-store, no max-age
    assert "Expires" not in response
    assert response.content == image_store().read(instance.stored_name)


def test_it_answers_304_with_no_body_to_a_member_with_the_etag(
    client, world, instance, django_assert_num_queries
):
    sign_in(client, world.expert)
    etag = client.get(url(world.study, instance))["ETag"]
    with django_assert_num_queries(QUERIES):
        response = client.get(url(world.study, instance), headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag and response["Cache-Control"] == "private, no-cache"


def test_it_sends_the_bytes_again_for_another_etag(client, world, instance):
    sign_in(client, world.expert)
    response = client.get(url(world.study, instance), headers={"If-None-Match": '"stale"'})
    assert response.status_code == 200 and response.content[128:132] == b"DICM"


@pytest.mark.parametrize("who", ["other_centre", "guest", "invited"])
def test_it_is_404_for_a_non_member_even_with_the_etag(client, world, instance, who):
    sign_in(client, getattr(world, who))
    response = client.get(url(world.study, instance), headers={"If-None-Match": f'"{instance.sha256}"'})
    assert response.status_code == 404


def test_a_kept_copy_does_not_outlive_the_membership(client, world, instance):
    sign_in(client, world.expert)
    etag = client.get(url(world.study, instance))["ETag"]
    Membership.objects.filter(panel=world.panel, user=world.expert).delete()
    assert client.get(url(world.study, instance), headers={"If-None-Match": etag}).status_code == 404


def test_an_instance_without_a_hash_is_not_kept(client, world, instance):
    Instance.objects.filter(pk=instance.pk).update(sha256="")
    sign_in(client, world.expert)
    response = client.get(url(world.study, instance))
    assert response.status_code == 200 and "ETag" not in response
    assert "no-store" in response["Cache-Control"]


def test_the_other_signed_in_pages_stay_no_store(client, world):
    sign_in(client, world.expert)
    response = client.get(reverse("imaging:study-viewer", args=[world.study.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
