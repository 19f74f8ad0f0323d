"""What a file is, found from its content, never from its name.

Only the types CPMS accepts from users are recognised; anything else is None. Images are opened by
Pillow (a truncated or forged image is refused), PDFs must start and end as PDFs do.
"""

import io

from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSION_TYPES = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
PILLOW_TYPES = {"JPEG": JPEG, "PNG": PNG}


def content_type_of(data: bytes) -> str | None:
    """The content type of these bytes if they are a whole PDF, JPEG or PNG; None otherwise."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return PDF
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                return PILLOW_TYPES.get(image.format)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
    return None


def read_upload(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data
