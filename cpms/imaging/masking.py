"""Masking a region of a series: the pixels of a rectangle blanked in every image of the series,
and the files stored again (the de-identified file is the only copy: nothing keeps the text).

All or nothing. Every image is masked and written *next to* its old file (a new name) first; only
then are the rows switched to the new files, in one transaction, and the old files deleted once it
has committed. An image that cannot be read or masked, or a store that fails midway, leaves the
series as it was (the new files written so far are deleted). Orthanc files an instance by its UID,
so it cannot hold both: there every image is masked first (a failure changes nothing), then each
is stored over its old version in turn (OrthancImageStore.replace: the new file in, the old one out,
in one step of Orthanc's; nothing is deleted first, so a failure leaves each image in its old version
or its new one, never lost). Only the store failing during that second pass can leave part of it
done. The series is marked unfinished before that pass (actions.do_mask_series): the page says so,
the study cannot be shared, and masking again redoes the whole series. An Orthanc that keeps the old
version (no "OverwriteInstances") is found at the first image: refused, nothing changed.

Compressed pixel data is decoded with the decoders installed here (pydicom's own RLE; JPEG and
JPEG 2000 through Pillow) and the masked image is stored uncompressed (Explicit VR Little Endian,
as intake's synthetic files); a transfer syntax with no decoder here (JPEG-LS, JPEG lossless,
HTJ2K) is refused with a message rather than corrupted.
"""

import hashlib
import io
import logging
import re
import secrets

import numpy as np
import pydicom
from django.db import transaction
from django.utils.translation import gettext as _
from pydicom.pixels.decoders.base import get_decoder

from .models import Instance
from .stores import ImageNotReplaced, ImageStoreError, image_store

logger = logging.getLogger(__name__)
MASKED_SUFFIX = re.compile(r"(\.masked-[0-9a-f]{8})?(\.dcm)?$")


class MaskRefused(Exception):
    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


def clean_region(region: dict, rows: int, columns: int) -> dict:
    """{"x", "y", "width", "height"} as integers inside the image; MaskRefused otherwise."""
    try:
        x, y = int(region["x"]), int(region["y"])
        width, height = int(region["width"]), int(region["height"])
    except (KeyError, TypeError, ValueError):
        raise MaskRefused(_("Give the region as whole numbers of pixels.")) from None
    if x < 0 or y < 0 or width < 1 or height < 1 or x + width > columns or y + height > rows:
        raise MaskRefused(
            _("The region must lie inside the image (%(columns)s × %(rows)s pixels).")
            % {"columns": columns, "rows": rows}
        )
    return {"x": x, "y": y, "width": width, "height": height}


def blank(data: bytes, region: dict) -> bytes:
    """The file with the region's pixels set to the image's lowest value, in every frame."""
    try:
        ds = pydicom.dcmread(io.BytesIO(data))
        syntax = ds.file_meta.TransferSyntaxUID
    except Exception as error:  # a stored file pydicom cannot read: refused, nothing changed
        raise MaskRefused(_("An image of this series could not be read: nothing was changed.")) from error
    if syntax.is_compressed:
        decoder = get_decoder(syntax) if syntax.is_encapsulated else None
        if decoder is None or not decoder.is_available:
            raise MaskRefused(
                _(
                    "This series is compressed as %(syntax)s, which cannot be decoded here: nothing was "
                    "changed. Mask it before sending it, or send it uncompressed."
                )
                % {"syntax": syntax.name}
            )
        try:
            ds.decompress()  # Explicit VR Little Endian from here on
        except Exception as error:
            raise MaskRefused(
                _("An image of this series could not be decoded (%(syntax)s): nothing was changed.")
                % {"syntax": syntax.name}
            ) from error
    try:
        pixels = ds.pixel_array.copy()
    except Exception as error:
        raise MaskRefused(_("An image of this series has no pixels to mask: nothing was changed.")) from error
    x, y, w, h = region["x"], region["y"], region["width"], region["height"]
    low = pixels.min()
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        pixels[:, y : y + h, x : x + w, ...] = low
    else:
        pixels[y : y + h, x : x + w, ...] = low
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def replaces_one_by_one() -> bool:
    """Does the store replace each file in turn (Orthanc: its `replace`), so that a failure midway
    leaves a part done?"""
    return getattr(image_store(), "files_by_uid", False)


def mask_series(series, region: dict) -> None:
    """Blank `region` (cleaned in place) in every instance of `series`, all or nothing; to be called
    in the transaction that records the mask (the old files go once it commits)."""
    if not series.rows or not series.columns:
        raise MaskRefused(_("This series has no image to mask."))
    region.update(clean_region(region, series.rows, series.columns))
    store = image_store()
    instances = list(series.instances.all())
    if replaces_one_by_one():
        _replace_each(store, instances, region)
    else:
        _write_beside_then_switch(store, instances, region)


def _key_beside(stored_name: str) -> str:
    return f"{MASKED_SUFFIX.sub('', stored_name)}.masked-{secrets.token_hex(4)}"


def _set_file(instance, name: str, data: bytes) -> None:
    instance.stored_name = name
    instance.size_bytes = len(data)
    instance.sha256 = hashlib.sha256(data).hexdigest()


def _delete_quietly(store, names) -> None:
    for name in names:
        try:
            store.delete(name)
        except ImageStoreError:  # a de-identified file nothing points to: logged
            logger.warning("Masking: the unused image file %s could not be deleted", name)


def _write_beside_then_switch(store, instances, region) -> None:
    old_names = [instance.stored_name for instance in instances]
    written: list[str] = []
    try:
        for instance in instances:
            masked = blank(store.read(instance.stored_name), region)
            name = store.save(_key_beside(instance.stored_name), masked)
            written.append(name)
            _set_file(instance, name, masked)
        with transaction.atomic():
            Instance.objects.bulk_update(instances, ["stored_name", "size_bytes", "sha256"])
    except BaseException:
        for instance, name in zip(instances, old_names, strict=True):
            instance.stored_name = name
        _delete_quietly(store, written)
        raise
    transaction.on_commit(lambda: _delete_quietly(store, old_names))


def _replace_each(store, instances, region) -> None:
    masked = [blank(store.read(instance.stored_name), region) for instance in instances]  # all, first
    for index, (instance, data) in enumerate(zip(instances, masked, strict=True)):
        try:
            name = store.replace(instance.stored_name, data)  # stored over the old one: never neither
        except ImageNotReplaced as error:
            if index:  # the store changed its mind midway: a part is done
                raise
            raise MaskRefused(
                _("%(reason)s Nothing was changed.") % {"reason": error.message}, status=503
            ) from error
        _set_file(instance, name, data)
        Instance.objects.filter(pk=instance.pk).update(
            stored_name=instance.stored_name, size_bytes=instance.size_bytes, sha256=instance.sha256
        )


def preview_png(series) -> bytes:
    """The middle image of the series as a PNG (windowed to 8 bits): to see what to mask."""
    from PIL import Image

    instances = list(series.instances.all())
    if not instances:
        raise MaskRefused(_("This series has no image to show."))
    ds = pydicom.dcmread(io.BytesIO(image_store().read(instances[len(instances) // 2].stored_name)))
    try:
        pixels = ds.pixel_array.astype("float64")
    except Exception as error:  # a compressed series without its decoder, odd pixel data: no preview
        raise MaskRefused(_("This image cannot be shown here.")) from error
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        pixels = pixels[0]
    centre, width = _window(ds, pixels)
    low = centre - width / 2
    scaled = np.clip((pixels - low) / max(width, 1e-6) * 255.0, 0, 255).astype(np.uint8)
    if str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1":
        scaled = 255 - scaled
    buffer = io.BytesIO()
    Image.fromarray(scaled).save(buffer, format="PNG")
    return buffer.getvalue()


def _window(ds, pixels) -> tuple[float, float]:
    def first(value):
        return float(value[0] if isinstance(value, pydicom.multival.MultiValue) else value)

    try:
        return first(ds.WindowCenter), first(ds.WindowWidth)
    except (AttributeError, TypeError, ValueError, IndexError):
        low, high = float(pixels.min()), float(pixels.max())
        return (low + high) / 2, max(high - low, 1.0)
