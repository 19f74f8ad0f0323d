"""The discussion of a panel in a browser: a member contributes with a file and a mention, asks the
requester for more information, the requester answers in the thread; axe-core finds nothing serious."""

import pytest
from django.conf import settings
from django.test import Client

from cpms.panels.models import Contribution, Notification
from cpms.panels.tests.discussion_helpers import PDF
from cpms.panels.tests.factories import make_panel_world
from cpms.test import sign_in

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser, site, user):
    context = browser.new_context(base_url=site, locale="en-GB")
    cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_a_member_contributes_asks_and_the_requester_answers(browser, site, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    world = make_panel_world()
    discussion = f"/cpms/panels/{world.panel.pk}/discussion/"

    expert = signed_in_page(browser, site, world.expert)
    expert.goto(discussion)
    assert accessibility_violations(expert) == []
    expert.get_by_label("Your contribution").fill("An **early-onset SCA** is likely, @nguestm1.")
    expert.get_by_label("Attachments").set_input_files(
        files=[{"name": "EMG.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expert.get_by_role("button", name="Contribute").click()
    expert.get_by_text("Your contribution is added.").wait_for()
    assert expert.locator(".cpms-mention").first.inner_text() == "@Gustav Berg"
    assert expert.get_by_role("link", name="EMG.pdf").is_visible()
    assert accessibility_violations(expert) == []

    expert.get_by_label("Your contribution").fill("Is there a brain MRI?")
    expert.get_by_role("button", name="Request more information from the requester").click()
    expert.get_by_text("Your request for more information is sent to the requester.").wait_for()
    assert expert.get_by_text("Open request").is_visible()

    requester = signed_in_page(browser, site, world.enrolling)
    requester.goto(discussion)
    assert requester.get_by_text("2 new contributions since your last visit.").is_visible()
    assert accessibility_violations(requester) == []
    requester.get_by_label("Your answer").fill("Yes: normal at 30.")
    requester.get_by_role("button", name="Answer").click()
    requester.get_by_text("Your answer is added to the discussion.").wait_for()
    assert requester.get_by_text("In answer to the request of Erik Larsen").is_visible()
    assert accessibility_violations(requester) == []

    answer = Contribution.objects.get(kind=Contribution.Kind.INFORMATION_ANSWER)
    assert answer.answers.author == world.expert
    assert Notification.objects.filter(
        recipient=world.expert, kind=Notification.Kind.INFORMATION_ANSWERED
    ).exists()
