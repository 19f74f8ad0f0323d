"""Seed Step 2 in a real browser: request CPMS access, a coordinator approves, the HP enters CPMS."""

import re
import time

import pyotp
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cpms.access.models import AccessProfile, Grant, OrganisationNode
from cpms.identity.models import TotpDevice
from cpms.outbox.models import OutboxMessage
from cpms.test import PASSWORD, make_user

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.seed, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data(settings):
    settings.EMAIL_BACKEND = "cpms.outbox.backends.OutboxEmailBackend"
    call_command("load_reference_data", verbosity=0)
    call_command("load_thematic_areas", verbosity=0)


def person_with_app(username, email, first_name, last_name):
    user = make_user(username, email, first_name, last_name)
    device = TotpDevice.objects.create(user=user, name="Phone", secret=pyotp.random_base32(), confirmed=True)
    return user, device


def coordinator_of_ern_rnd():
    user, device = person_with_app("nhelena1", "helena@example.org", "Helena", "Weber")
    de22 = OrganisationNode.objects.get(application__code="cpms", ern__code="ERN-RND", code="DE22")
    for code in ("hp", "coordinator"):
        profile = AccessProfile.objects.get(application=de22.application, code=code)
        Grant.objects.create(
            user=user, application=de22.application, organisation=de22, ern=de22.ern, profile=profile
        )
    return user, device


def sign_in_with_app(page, email, device, *, start="/login/"):
    if start:
        page.goto(start)
    page.get_by_label("Use your e-mail address or username").fill(email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()  # then the authenticator app, the only second factor
    device.refresh_from_db()
    step = max(device.last_used_step + 1, int(time.time() // 30))
    page.get_by_label("Verification code").fill(pyotp.TOTP(device.secret).at(step * 30))
    page.get_by_role("button", name="Sign in").click()


def assert_accessible(page):
    assert accessibility_violations(page) == []


def request_cpms_access_at_de22(page):
    page.get_by_role("link", name="Request access to CPMS").click()
    expect(page.get_by_text("1 Select application")).to_be_visible()
    page.get_by_role("button", name="Step 2: select an organisation →").click()
    expect(page.get_by_role("row", name=re.compile("ERN-RND - Neurological Diseases"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Open ERN-RND - Neurological Diseases").click()
    page.get_by_role("link", name="Open Germany", exact=True).click()
    expect(page.get_by_text("← Up")).to_be_visible()
    expect(page.get_by_text("Showing 1 to 10 of 10 entries")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("DE22 - University Hospital and Faculty of Medicine Tubingen").check()
    page.get_by_role("button", name="Step 3: select an access profile →").click()
    page.get_by_label("HP", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Step 4: type a comment →").click()
    expect(page.get_by_text("Before submitting")).to_be_visible()
    page.get_by_label("Comments").fill("Paediatric neurologist at the ataxia clinic.")
    page.get_by_role("button", name="Submit request access").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()


def test_a_requested_cpms_access_is_approved_and_used(page):
    newcomer, newcomer_app = person_with_app("nnora001", "nora@example.org", "Nora", "Keller")
    coordinator, coordinator_app = coordinator_of_ern_rnd()

    page.goto("/")
    page.get_by_role("link", name=re.compile("Login via CPMS Login")).click()
    sign_in_with_app(page, "nora@example.org", newcomer_app, start=None)
    expect(page.get_by_role("link", name="Request access to CPMS")).to_be_visible()
    request_cpms_access_at_de22(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in_with_app(page, "helena@example.org", coordinator_app)
    page.goto("/access/validation/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("the request of Nora Keller for HP")).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile("approved", re.IGNORECASE)).first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    assert OutboxMessage.objects.filter(recipient="nora@example.org", subject__icontains="approved").exists()

    sign_in_with_app(page, "nora@example.org", newcomer_app, start="/login/?next=/cpms/")
    page.get_by_label("Job title").fill("Paediatric neurologist")
    page.get_by_label(re.compile("Ataxias", re.IGNORECASE)).first.check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(
        page.get_by_role("heading", name="DE22 - University Hospital and Faculty of Medicine Tubingen")
    ).to_be_visible()
    assert_accessible(page)
