"""The first frame of an instance as a PNG, drawn as the viewer first draws it (the study viewer shows
it while Cornerstone starts): the same right as the image endpoint, checked on every request, the
same revalidated caching, the real pixels windowed as the file says."""

import io

import numpy as np
import pydicom
import pytest
from django.urls import reverse
from PIL import Image

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..models import Study
from ..rendering import first_frame_png
from ..stores import image_store
from .factories import make_stored_study

# Session, user, the gate, the study with its patient, the membership, the instance (as instance-file).
QUERIES = 6


def url(study, instance) -> str:
    return reverse("imaging:instance-preview", args=[study.pk, instance.pk])


@pytest.fixture
def instance(world):
    return world.study.series.get().instances.order_by("slice_position")[5]


def png_pixels(content: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return np.asarray(image)


def stored(instance) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(image_store().read(instance.stored_name)))


def test_it_sends_an_anonymous_visitor_to_sign_in(client, world, instance):
    assert client.get(url(world.study, instance)).status_code == 302


@pytest.mark.parametrize("who", ["other_centre", "guest", "researcher", "other_ern", "invited", "triager"])
def test_it_is_404_for_anyone_not_on_the_panel_or_at_the_centre(client, world, instance, who):
    sign_in(client, getattr(world, who))
    assert client.get(url(world.study, instance)).status_code == 404


@pytest.mark.parametrize("who", ["expert", "enrolling"])
def test_it_draws_the_stored_pixels_through_the_files_window(client, world, instance, who):
    sign_in(client, getattr(world, who))
    response = client.get(url(world.study, instance))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    ds = stored(instance)
    pixels = png_pixels(response.content)
    assert pixels.shape == (ds.Rows, ds.Columns)
    # Window 600/1200 (the synthetic files'): 0 → black, 400 (the head) → 85, 1500 (the sphere) → white.
    expected = np.clip(ds.pixel_array.astype(float) / 1200 * 255, 0, 255).astype(np.uint8)
    assert np.array_equal(pixels, expected)
    assert {0, 255} <= set(np.unique(pixels))


def test_it_is_404_for_an_instance_of_another_study_or_a_study_under_review(client, world, instance):
    other = make_stored_study(world.patient, slices=2, panels=[])
    sign_in(client, world.expert)
    foreign = other.series.get().instances.first()
    assert client.get(url(world.study, foreign)).status_code == 404
    assert client.get(url(other, foreign)).status_code == 404
    Study.objects.unscoped().filter(pk=world.study.pk).update(status=Study.Status.REVIEW)
    assert client.get(url(world.study, instance)).status_code == 404


def test_it_is_kept_by_the_browser_and_revalidated_with_its_right_checked(client, world, instance):
    sign_in(client, world.expert)
    first = client.get(url(world.study, instance))
    assert first["Cache-Control"] == "private, no-cache" and first["ETag"].startswith(f'"{instance.sha256}')
    again = client.get(url(world.study, instance), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    # The ETag of the preview is not the file's: a browser holding the DICOM bytes is not sent a 304 here.
    assert first["ETag"] != f'"{instance.sha256}"'
    sign_in(client, world.other_centre)
    assert client.get(url(world.study, instance), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_it_is_404_not_500_for_pixels_it_cannot_decode(client, world, instance, image_folders):
    ds = stored(instance)
    ds.PixelData = b"\x00" * 10  # far too short for its rows and columns
    ds.save_as(image_folders / "store" / instance.stored_name, enforce_file_format=True)
    sign_in(client, world.expert)
    assert client.get(url(world.study, instance)).status_code == 404


def test_it_does_not_audit_and_its_queries_are_pinned(client, world, instance, django_assert_num_queries):
    sign_in(client, world.expert)
    client.get(url(world.study, instance))
    before = AuditEvent.objects.count()
    with django_assert_num_queries(QUERIES):
        assert client.get(url(world.study, instance)).status_code == 200
    assert AuditEvent.objects.count() == before


def test_it_refuses_writes(client, world, instance):
    sign_in(client, world.expert)
    assert client.post(url(world.study, instance)).status_code == 405


# -- the drawing itself, as Cornerstone's first: rescale, window, MONOCHROME1, the pixels' aspect


def dataset(pixels: np.ndarray, **attributes) -> bytes:
    from cpms.imaging.synthetic import SyntheticStudy, to_bytes

    ds = pydicom.dcmread(io.BytesIO(SyntheticStudy().series(slices=1, size=pixels.shape[0])[0]))
    ds.Rows, ds.Columns = pixels.shape
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    for name, value in attributes.items():
        if value is None:
            delattr(ds, name)
        else:
            setattr(ds, name, value)
    return to_bytes(ds)


def drawn(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(first_frame_png(data))))


def test_the_drawing_applies_the_rescale_before_the_window():
    pixels = np.array([[0, 100], [200, 300]])
    # Stored 0..300 → -1000..-400 (CT-like); window -700 ± 300: -1000 → black, -400 → white.
    data = dataset(pixels, RescaleSlope=2, RescaleIntercept=-1000, WindowCenter=-700, WindowWidth=600)
    assert drawn(data).tolist() == [[0, 85], [170, 255]]


def test_the_drawing_without_a_window_spans_the_images_values():
    pixels = np.array([[10, 20], [30, 40]])
    assert drawn(dataset(pixels, WindowCenter=None, WindowWidth=None)).tolist() == [[0, 85], [170, 255]]


def test_the_drawing_inverts_monochrome1():
    pixels = np.array([[0, 1200], [600, 0]])
    data = dataset(pixels, PhotometricInterpretation="MONOCHROME1")
    assert drawn(data).tolist() == [[255, 0], [128, 255]]  # 600 → 127 (truncated), inverted


def test_the_drawing_keeps_the_physical_aspect_of_the_pixels():
    pixels = np.zeros((4, 4))
    image = Image.open(io.BytesIO(first_frame_png(dataset(pixels, PixelSpacing=[2.0, 1.0]))))
    assert image.size == (4, 8)  # rows 2 mm apart, columns 1 mm: twice as tall as wide
