"""FileCheck: the server's size and type check of an upload, whatever the browser let through."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cpms.lib.forms import FileCheck

CHECK = FileCheck(max_bytes=1000, extensions=(".pdf", ".PNG"))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_it_lets_a_small_file_of_an_accepted_type_through():
    CHECK(SimpleUploadedFile("consent.pdf", PDF))
    CHECK(SimpleUploadedFile("scan.png", png_bytes()))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("consent.pdf", b"MZ\x90\x00 an executable renamed"),
        ("scan.png", PDF),
        ("scan.png", png_bytes()[:40]),  # truncated
        ("consent.pdf", b"%PDF-1.4 but never ends"),
    ],
)
def test_it_refuses_a_file_whose_content_is_not_what_its_name_says(name, content):
    with pytest.raises(ValidationError, match=r"is not a real (PDF|PNG) file, or it is damaged"):
        CHECK(SimpleUploadedFile(name, content))


def test_it_refuses_a_file_too_large():
    with pytest.raises(ValidationError, match=r"big\.pdf is larger than 1000"):
        CHECK(SimpleUploadedFile("big.pdf", b"x" * 1001))


def test_it_refuses_another_type():
    with pytest.raises(ValidationError, match=r"notes\.exe is not a type of file accepted here"):
        CHECK(SimpleUploadedFile("notes.exe", b"x"))


def test_it_tells_the_browser_the_same_types():
    assert CHECK.accept == ".pdf,.png"
