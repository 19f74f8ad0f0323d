"""/styleguide/: every component with its include, in the embedded default only."""

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import clear_url_caches

import config.urls

pytestmark = pytest.mark.django_db

COMPONENTS = Path(settings.BASE_DIR) / "templates/components"
SHELL_PARTS = {"_header.html", "_page_top.html", "_notifications.html"}  # drawn by base.html on every page


def test_it_shows_every_component_with_its_include(client):
    page = client.get("/styleguide/").content.decode()
    for component in sorted(p.name for p in COMPONENTS.glob("_*.html")):
        if component not in SHELL_PARTS:
            assert f"{{% include &quot;components/{component}&quot;" in page, component
    assert "cpms-table-cards" in page
    assert "form_fields.html" in page


def test_it_is_no_error_page_although_it_shows_an_error_summary(client):
    page = client.get("/styleguide/").content.decode()
    assert re.search(r"<title>Style guide · CPMS</title>", page)
    assert 'data-cpms-error-summary="no-focus"' in page


def test_it_does_not_exist_outside_the_embedded_default(client, settings):
    settings.EMBEDDED = False
    importlib.reload(config.urls)
    clear_url_caches()
    try:
        assert client.get("/styleguide/").status_code == 404
    finally:
        settings.EMBEDDED = True
        importlib.reload(config.urls)
        clear_url_caches()
