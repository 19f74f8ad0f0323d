import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son(click|load|submit|change|input|error)=")


def test_every_page_forbids_inline_scripts_and_framing(client):
    response = client.get("/login/")
    directives = response.headers["Content-Security-Policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_no_template_has_an_inline_script_the_policy_would_block():
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    assert [str(path) for path in templates if INLINE_SCRIPT.search(path.read_text())] == []
