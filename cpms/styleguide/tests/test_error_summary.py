"""The error summary: every form of the product, submitted with errors, lists them at the top, each linking
to its field, and the title starts with "Error:" (the focus is checked in a browser: e2e/test_layout.py)."""

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from cpms.access.tests.factories import make_grant, make_request
from cpms.clinical.tests.factories import complete_profile, make_areas
from cpms.identity.models import PhoneNumber
from cpms.styleguide.forms import SampleForm
from cpms.test import sign_in

pytestmark = pytest.mark.django_db

FIELD_TYPES = {"text", "email", "password", "number", "tel", "radio", "checkbox", "file", "date", "search"}


class Forms(HTMLParser):
    """The POST forms of a page: their action, hidden inputs, submit button and whether they have fields."""

    def __init__(self):
        super().__init__()
        self.forms, self.ids, self._current = [], set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = {"action": attrs.get("action"), "data": {}, "fields": 0, "id": attrs.get("id")}
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "select", "textarea", "button"}:
            kind = attrs.get("type", "text" if tag == "input" else tag)
            if kind == "hidden" and attrs.get("name") != "csrfmiddlewaretoken":
                self._current["data"][attrs["name"]] = attrs.get("value", "")
            elif kind in FIELD_TYPES or tag in {"select", "textarea"}:
                self._current["fields"] += 1
                if kind not in {"radio", "checkbox", "file"} and attrs.get("name"):
                    self._current["data"][attrs["name"]] = ""  # as a browser sends an empty field
            elif tag == "button" and attrs.get("name") and "submit" not in self._current:
                self._current["submit"] = True
                self._current["data"][attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_on(html: str) -> Forms:
    parser = Forms()
    parser.feed(html)
    return parser


def assert_error_summary(html: str, url: str) -> None:
    assert re.search(r"<title>Error: ", html), f"{url}: the title does not start with Error:"
    summary = re.search(r'<div class="cpms-error-summary".*?</div>', html, re.S)
    assert summary, f"{url}: no error summary"
    assert "data-cpms-error-summary" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'href="#([^"]+)"(?: data-field="([^"]+)")?', summary.group(0))
    assert links, f"{url}: the summary links to no field"
    ids = forms_on(html).ids
    for anchor, name in links:
        # A field drawn by hand (radios in a table) may have other ids: components.js then focuses it by name.
        found = anchor in ids or (name and f'name="{name}"' in html)
        assert found, f"{url}: #{anchor} is nowhere"


def submit_every_form_empty(client, url: str) -> int:
    """Submits each POST form that has fields, with nothing typed or chosen, as a browser would; returns how
    many came back with the error summary (a form that accepts empty fields is not counted)."""
    page = client.get(url)
    assert page.status_code == 200, url
    checked = 0
    for form in forms_on(page.content.decode()).forms:
        if not form["fields"]:
            continue  # a button: remove, end a session, approve
        response = client.post(form["action"] or url, form["data"])
        if response.status_code in {200, 400}:  # shown again with its errors
            assert_error_summary(response.content.decode(), f"{url} → {form['action']}")
            checked += 1
    return checked


# -- The mechanism


def test_it_links_each_error_to_its_field_and_groups_to_their_first_choice():
    form = SampleForm({"job_title": "", "urgency": "", "agree": ""})
    form.add_error(None, "Something is wrong with the whole form.")
    html = Template('{% include "components/_error_summary.html" %}').render(Context({"form": form}))
    assert 'href="#id_job_title" data-field="job_title">Job title: This field is required.</a>' in html
    assert 'href="#id_urgency_0"' in html  # a group of radios: its first radio
    assert 'href="#id_agree"' in html
    assert 'href="#id_job_title">Something is wrong with the whole form.</a>' in html
    assert "There is a problem" in html


def test_it_shows_nothing_for_a_form_without_errors():
    html = Template('{% include "components/_error_summary.html" %}').render(Context({"form": SampleForm()}))
    assert html.strip() == ""


# -- Every form of the product


def test_it_summarises_the_errors_of_the_forms_anyone_can_fill(client):
    assert submit_every_form_empty(client, "/account/create/") == 1
    assert submit_every_form_empty(client, "/password/forgot/") == 1


def test_it_summarises_the_errors_of_every_my_account_form(client, bob):
    unverified = PhoneNumber.objects.create(user=bob, number="+33612345678")
    sign_in(client, bob)
    pages = [
        "/account/password/",
        "/account/configure/",
        "/account/email/",
        "/account/delete/",
        "/account/devices/add/",
        f"/account/devices/{bob.totp_devices.get().pk}/rename/",
        "/account/phones/add/",
        f"/account/phones/{unverified.pk}/verify/",
    ]  # /account/keys/add/ checks its name in JSON before the authenticator: webauthn.js shows the answer
    checked = {url: submit_every_form_empty(client, url) for url in pages}
    assert all(checked.values()), checked


def test_it_summarises_the_errors_of_the_access_request_wizard(client, bob, rnd):
    sign_in(client, bob)
    assert submit_every_form_empty(client, "/access/request/") == 1
    client.post("/access/request/", {"application": rnd.application.pk, "action": "next"})
    assert submit_every_form_empty(client, f"/access/request/organisation/?node={rnd.country.pk}") == 1
    client.post("/access/request/organisation/", {"organisation": rnd.hcp.pk, "action": "next"})
    assert submit_every_form_empty(client, "/access/request/profile/") == 1


def test_it_summarises_the_errors_of_the_validation_desk(client, bob, alice, rnd):
    make_grant(bob, rnd.hcp)
    make_grant(bob, rnd.hcp, profile_code="coordinator")
    request = make_request(alice, rnd.hcp)
    sign_in(client, bob)
    response = client.post(f"/access/validation/{request.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert_error_summary(response.content.decode(), "reject")


def test_it_summarises_the_errors_of_the_cpms_first_use_and_preferences(client, bob, rnd):
    make_grant(bob, rnd.hcp)
    make_areas(rnd.ern)
    sign_in(client, bob)
    assert submit_every_form_empty(client, "/cpms/welcome/") == 1
    complete_profile(bob)
    assert submit_every_form_empty(client, "/cpms/preferences/") == 1


def test_it_says_an_error_of_no_field_once_at_the_top(client, alice):
    client.post("/login/", {"identifier": "alice@example.org"})
    page = client.post("/login/password/", {"password": "not her password"}).content.decode()
    message = "The password is not correct, or there is no account with this e-mail address or username."
    assert page.count(message) == 1
    assert page.index("cpms-error-summary") < page.index(message)
