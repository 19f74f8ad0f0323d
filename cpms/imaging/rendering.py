"""The first frame of a stored instance as a PNG, drawn as the viewer draws it at first: what the
study viewer shows while Cornerstone starts (views/viewer.py, instance_preview), the real image.

Cornerstone3D's first drawing of a stack image: the modality LUT (Rescale Slope and Intercept), then
the file's first Window Center / Width (or, without one, the image's own lowest and highest values),
MONOCHROME1 inverted, colour images as they are; the whole image fitted into the viewport, with the
physical aspect of its pixels (Pixel Spacing). The PNG is 8 bits, resampled to that aspect, so that
the page can show it fitted (`object-fit: contain`) in the viewport's box.
"""

import contextlib
import io

import numpy as np
import pydicom
from PIL import Image


class NotRenderable(Exception):
    """No pixels this server can decode (a compressed syntax without its decoder, odd pixel data)."""


def _first(value) -> float:
    return float(value[0] if isinstance(value, pydicom.multival.MultiValue) else value)


def first_frame_png(data: bytes) -> bytes:
    try:
        ds = pydicom.dcmread(io.BytesIO(data))
        pixels = ds.pixel_array
    except Exception as error:  # the viewer's own decoders will try: no preview, never a 500
        raise NotRenderable(type(error).__name__) from error
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        pixels = pixels[0]
    if int(ds.get("SamplesPerPixel", 1) or 1) == 1:
        image = Image.fromarray(_windowed(ds, pixels))
    else:
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    width, height = _physical_size(ds, image.width, image.height)
    if (width, height) != image.size:
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # speed over a few bytes, on loopback or a LAN
    return buffer.getvalue()


def _windowed(ds, pixels) -> np.ndarray:
    values = pixels.astype("float64")
    with contextlib.suppress(TypeError, ValueError):  # an odd rescale: the stored values, as they are
        values = values * float(ds.get("RescaleSlope", 1) or 1) + float(ds.get("RescaleIntercept", 0) or 0)
    try:
        centre, width = _first(ds.WindowCenter), _first(ds.WindowWidth)
    except (AttributeError, TypeError, ValueError, IndexError):
        centre, width = None, None
    if centre is None or not width or width <= 0:
        low, high = float(values.min()), float(values.max())
    else:
        low, high = centre - width / 2, centre + width / 2
    scaled = np.clip((values - low) / max(high - low, 1e-6) * 255.0, 0, 255).astype(np.uint8)
    if str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1":
        scaled = 255 - scaled
    return scaled


def _physical_size(ds, columns: int, rows: int) -> tuple[int, int]:
    """The image's size with square pixels: the longer physical side stretched, never shrunk."""
    try:
        row_spacing, column_spacing = (float(v) for v in ds.PixelSpacing[:2])
    except (AttributeError, TypeError, ValueError):
        return columns, rows
    if row_spacing <= 0 or column_spacing <= 0 or abs(row_spacing - column_spacing) < 1e-6:
        return columns, rows
    unit = min(row_spacing, column_spacing)
    return round(columns * column_spacing / unit), round(rows * row_spacing / unit)
