"""FileCheck: the server's size and type check of an upload, whatever the browser let through."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cpms.lib.forms import FileCheck

CHECK = FileCheck(max_bytes=1000, extensions=(".pdf", ".PNG"))


def test_it_lets_a_small_file_of_an_accepted_type_through():
    CHECK(SimpleUploadedFile("consent.pdf", b"x" * 1000))
    CHECK(SimpleUploadedFile("scan.png", b"x"))


def test_it_refuses_a_file_too_large():
    with pytest.raises(ValidationError, match=r"big\.pdf is larger than 1000"):
        CHECK(SimpleUploadedFile("big.pdf", b"x" * 1001))


def test_it_refuses_another_type():
    with pytest.raises(ValidationError, match=r"notes\.exe is not a type of file accepted here"):
        CHECK(SimpleUploadedFile("notes.exe", b"x"))


def test_it_tells_the_browser_the_same_types():
    assert CHECK.accept == ".pdf,.png"
