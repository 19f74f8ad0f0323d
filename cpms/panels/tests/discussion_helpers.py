"""What the discussion tests share: files, a private storage folder, and a contribution written directly."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ..models import Contribution

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_file(name: str = "EMG report.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png_file(name: str = "pedigree.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def use_private_storage(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }


def write(panel, author, text: str = "I would test ATXN1 to ATXN3 first.", **extra) -> Contribution:
    contribution = Contribution(panel=panel, author=author, text=text, **extra)
    contribution.save()
    return contribution


def discussion_url(panel) -> str:
    return reverse("panels:panel-discussion", args=[panel.pk])
