"""base.html: the layout every page shares."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def render_base(user=None, **context) -> str:
    request = RequestFactory().get("/somewhere/")
    request.user = user or AnonymousUser()
    return render_to_string("base.html", context, request=request)


def test_it_colours_a_message_by_its_level_whatever_its_extra_tags():
    html = render_base(
        messages=[
            Message(messages.ERROR, "The code is wrong.", extra_tags="code"),
            Message(messages.SUCCESS, "Saved."),
            Message(messages.DEBUG, "Debugging."),
        ]
    )
    assert '<div class="alert alert-danger">The code is wrong.</div>' in html
    assert '<div class="alert alert-success">Saved.</div>' in html
    assert '<div class="alert alert-secondary">Debugging.</div>' in html
    assert 'role="status" aria-live="polite"' in html


def test_it_opens_the_services_menu_with_a_button(alice):
    html = render_base(user=alice)
    assert '<button class="nav-link dropdown-toggle" type="button"' in html
    assert 'href="#"' not in html
