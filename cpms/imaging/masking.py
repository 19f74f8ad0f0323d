"""Masking a region of a series: the pixels of a rectangle blanked in every image of the series,
and the files stored again (the de-identified file is the only copy: nothing keeps the text).

Only uncompressed pixel data is changed here (what intake receives from the synthetic maker and
most exports); a compressed series is refused with a message rather than decoded and re-encoded.
"""

import hashlib
import io

import numpy as np
import pydicom
from django.utils.translation import gettext as _

from .stores import image_store


class MaskRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


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
    ds = pydicom.dcmread(io.BytesIO(data))
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        raise MaskRefused(
            _("This series is compressed: it cannot be masked here. Mask it before sending it.")
        )
    pixels = ds.pixel_array.copy()
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


def mask_series(series, region: dict) -> None:
    """Blank `region` (cleaned in place) in every instance of `series`; each file stored again."""
    if not series.rows or not series.columns:
        raise MaskRefused(_("This series has no image to mask."))
    region.update(clean_region(region, series.rows, series.columns))
    store = image_store()
    for instance in series.instances.all():
        masked = blank(store.read(instance.stored_name), region)
        key = instance.stored_name.removesuffix(".dcm")
        store.delete(instance.stored_name)
        instance.stored_name = store.save(key, masked)
        instance.size_bytes = len(masked)
        instance.sha256 = hashlib.sha256(masked).hexdigest()
        instance.save(update_fields=["stored_name", "size_bytes", "sha256"])


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
