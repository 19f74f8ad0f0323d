"""The check before sharing: the tags before and after, the burned-in warning, masking, confirming."""

import io

import pydicom
import pytest
from django.urls import reverse

from cpms.imaging.models import Series, Study
from cpms.imaging.queries import find_study_for_user
from cpms.imaging.stores import image_store
from cpms.panels.tests.factories import add_member, make_panel_world
from cpms.test import sign_in

from .intake_helpers import mr_study, send


@pytest.fixture
def world(db):
    """The panels' world with no study yet: these tests look at what the intake stores."""
    return make_panel_world()


@pytest.fixture
def study(client, world):
    sign_in(client, world.enrolling)
    send(client, world.patient, mr_study(slices=3)[1])
    client.logout()
    return Study.objects.of_patients([world.patient.pk]).get()


def review_url(study):
    return reverse("imaging:study-review", args=(study.pk,))


def test_the_centre_sees_before_and_after_and_the_warning(client, world, study):
    sign_in(client, world.enrolling)
    page = client.get(review_url(study))
    assert page.status_code == 200
    text = page.content.decode()
    assert "GRÜNWALD^MATHILDE" in text and "TUE-4471-93" in text  # before: the centre's own patient
    assert world.patient.pseudonym in text
    assert text.count("data-burned-in-warning") == 1
    assert "the file says it has burned-in annotation" in text
    assert "Some images may show burned-in text" in text


@pytest.mark.parametrize("role", ["other_centre", "guest", "researcher", "other_ern", "expert"])
def test_anyone_else_gets_404_and_panel_members_see_nothing_before_confirm(client, world, study, role):
    sign_in(client, getattr(world, role))
    assert client.get(review_url(study)).status_code == 404
    assert (
        client.post(reverse("imaging:study-confirm", args=(study.pk,)), {"checked": "on"}).status_code == 404
    )
    mask = reverse("imaging:series-mask", args=(study.pk, study.series.first().pk))
    assert client.post(mask, {"x": 0, "y": 0, "width": 1, "height": 1}).status_code == 404
    Study.objects.unscoped().filter(pk=study.pk).update(status=Study.Status.REVIEW)


def test_anonymous_is_sent_to_sign_in(client, world, study):
    response = client.get(review_url(study))
    assert response.status_code == 302 and reverse("identity:login") in response.url


def test_the_review_page_has_a_pinned_query_count(client, world, study, django_assert_num_queries):
    sign_in(client, world.enrolling)
    client.get(review_url(study))  # the session and grants warmed up
    with django_assert_num_queries(8):
        client.get(review_url(study))


def test_masking_blanks_the_region_in_every_stored_image(client, world, study):
    sign_in(client, world.enrolling)
    series = study.series.get(number=1)
    url = reverse("imaging:series-mask", args=(study.pk, series.pk))
    response = client.post(url, {"x": 10, "y": 20, "width": 30, "height": 40})
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.masked_regions == [{"x": 10, "y": 20, "width": 30, "height": 40}]
    for instance in series.instances.all():
        pixels = pydicom.dcmread(io.BytesIO(image_store().read(instance.stored_name))).pixel_array
        assert (pixels[20:60, 10:40] == pixels.min()).all()
        assert pixels.max() > pixels.min()  # the rest is still there
    other = study.series.get(number=2).instances.first()
    assert pydicom.dcmread(io.BytesIO(image_store().read(other.stored_name))).pixel_array[20:60, 10:40].any()


def test_a_region_outside_the_image_is_refused_with_a_message(client, world, study):
    sign_in(client, world.enrolling)
    series = study.series.get(number=1)
    url = reverse("imaging:series-mask", args=(study.pk, series.pk))
    response = client.post(url, {"x": 100, "y": 0, "width": 100, "height": 10}, follow=True)
    assert "must lie inside the image (128 × 128 pixels)" in response.content.decode()
    assert client.post(url, {"x": "a"}).status_code == 400
    series.refresh_from_db()
    assert series.masked_regions == []


def test_confirming_shares_with_the_chosen_panels_and_empties_the_preview(client, world, study):
    sign_in(client, world.enrolling)
    url = reverse("imaging:study-confirm", args=(study.pk,))
    assert client.post(url, {"panels": [world.panel.pk]}).status_code == 400  # the check box is needed
    response = client.post(url, {"panels": [world.panel.pk], "checked": "on"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.status == Study.Status.READY and study.confirmed_by == world.enrolling
    assert list(study.panels.values_list("pk", flat=True)) == [world.panel.pk]
    assert all(row.preview_before == "" for row in Series.objects.filter(study=study))
    page = client.get(review_url(study)).content.decode()
    assert "GRÜNWALD" not in page and "data-confirmed" in page
    assert client.post(url, {"checked": "on"}, follow=True).status_code == 200  # twice: a message, no 500


def test_once_confirmed_the_panel_members_see_it(client, world, study, rf):
    sign_in(client, world.enrolling)
    client.post(
        reverse("imaging:study-confirm", args=(study.pk,)), {"panels": [world.panel.pk], "checked": "on"}
    )
    request = rf.get("/")
    request.user = world.expert
    assert find_study_for_user(request, study.pk).panel_ids == (world.panel.pk,)


def test_a_panel_member_sends_from_the_panel_and_shares_with_it(client, world):
    sign_in(client, world.expert)
    send(client, world.panel.patient, mr_study(slices=2, burned_in_series=False)[1], panel=world.panel)
    study = Study.objects.of_patients([world.patient.pk]).get()
    page = client.get(review_url(study))
    assert page.status_code == 200
    text = page.content.decode()
    assert "GRÜNWALD" not in text and "TUE-4471-93" not in text  # not the centre: the tags after only
    response = client.post(
        reverse("imaging:study-confirm", args=(study.pk,)), {"panels": [world.panel.pk], "checked": "on"}
    )
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.status == Study.Status.READY and list(study.panels.all()) == [world.panel]


def test_only_accepted_members_send_from_a_panel(client, world):
    for role in ("invited", "other_centre", "triager"):
        sign_in(client, getattr(world, role))
        assert client.get(reverse("imaging:panel-upload-new", args=(world.panel.pk,))).status_code == 404
        client.logout()
    add_member(world.panel, world.other_centre)
    sign_in(client, world.other_centre)
    assert client.get(reverse("imaging:panel-upload-new", args=(world.panel.pk,))).status_code == 200


def test_the_preview_image_shows_the_middle_slice_to_its_reviewers_only(client, world, study):
    series = study.series.get(number=1)
    url = reverse("imaging:series-preview", args=(study.pk, series.pk))
    sign_in(client, world.other_centre)
    assert client.get(url).status_code == 404
    client.logout()
    sign_in(client, world.enrolling)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    other = study.series.get(number=2)
    assert client.get(reverse("imaging:series-preview", args=(study.pk + 1, other.pk))).status_code == 404
    assert b"/preview.png" in client.get(review_url(study)).content
