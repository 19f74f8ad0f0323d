"""In French, whose words are longer, the header and the access desk's navigation still fit on one
line at 1280 px (issue 9)."""

import pytest
from django.conf import settings

from cpms.clinical.models import ThematicArea
from cpms.clinical.tests.factories import complete_profile
from cpms.identity.models import User

from .test_every_page import DESKTOP, load_demo, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.drawing, pytest.mark.django_db(transaction=True)]

# Each horizontal navigation bar of the page that is taller than its tallest item: it wrapped.
WRAPPED_NAVS = """() => [...document.querySelectorAll('.navbar-nav, .nav-tabs, .nav-pills')]
    .filter(list => getComputedStyle(list).flexDirection === 'row' && list.children.length)
    .filter(list => list.getBoundingClientRect().height >
        Math.max(...[...list.children].map(item => item.getBoundingClientRect().height)) + 1)
    .map(list => list.innerText.replace(/\\s+/g, ' '))"""


def test_the_navigation_fits_on_one_line_in_french_at_1280_px(browser, site):
    load_demo()
    helena = User.objects.get(email="helena.weber@demo.cpms.eu")  # the most entries: coordinator and HP
    complete_profile(helena, areas=[ThematicArea.objects.filter(ern__code="ERN-RND").first()])
    context = browser.new_context(base_url=site, locale="fr-FR", viewport=DESKTOP)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(helena, ("pwd", "otp")), "url": site}]
    )
    page = context.new_page()
    try:
        for path in ("/cpms/", "/access/validation/", "/access/my-requests/", "/account/"):
            page.goto(path)
            assert page.get_attribute("html", "lang") == "fr", path
            assert page.locator(".navbar-nav").count() >= 2, path
            assert page.evaluate(WRAPPED_NAVS) == [], path
    finally:
        context.close()
