"""Every page that each demo person can reach, on a desktop and on a phone: axe-core finds nothing serious
and no page is wider than the screen.

The demo data is loaded once per test; each person is signed in by a session made here (the sign-in pages
are tested elsewhere), then the crawl follows the links of the pages (same origin, GET), one page of each
kind (the first person to reach a kind checks it; each person's start pages are always checked).
The desktop and the phone are two tests, so that two workers share the crawl: the pages are the same (the
server does not vary them by screen), each test opens and checks them once at its size. The Django admin
(a third of the pages, Django's own templates) is checked on the desktop only.
"""

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from cpms.clinical.models import ThematicArea
from cpms.clinical.tests.factories import complete_profile
from cpms.identity.models import User
from cpms.test import sign_in

from .conftest import AXE, accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.drawing, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_PAGES = 250  # a guard against a crawl that never ends; reaching it fails the test

# (e-mail, how they verified, first use done, where the crawl starts)
PERSONAS = [
    ("anna.novak@demo.cpms.eu", ("pwd", "otp"), False, ["/", "/account/", "/access/validation/", "/admin/"]),
    (
        "helena.weber@demo.cpms.eu",
        ("pwd", "otp"),
        True,
        ["/cpms/", "/access/validation/", "/access/grants/manage/"],
    ),
    ("jonas.braun@demo.cpms.eu", ("pwd", "sms"), True, ["/cpms/", "/account/", "/access/my-requests/"]),
    ("lena.fischer@demo.cpms.eu", ("pwd", "otp"), False, ["/cpms/"]),  # first use: the welcome page
    ("sofia.rossi@demo.cpms.eu", ("pwd", "otp"), True, ["/cpms/", "/access/my-access/"]),
    ("piet.devries@demo.cpms.eu", ("pwd", "otp"), True, ["/cpms/"]),
    ("tomas.horvat@demo.cpms.eu", ("pwd", "otp"), False, ["/cpms/", "/access/my-requests/"]),
    ("marc.lefevre@demo.cpms.eu", ("pwd",), False, ["/cpms/", "/account/"]),
    (
        None,
        (),
        False,
        ["/", "/login/", "/account/create/", "/password/forgot/", "/privacy/", "/styleguide/", "/outbox/"],
    ),
]

# Pages the crawl does not open: they end the session, change something on GET, or are files.
SKIPPED = re.compile(
    r"^/(static/|i18n/|logout/|admin/logout/|o/|\.well-known/|admin/jsi18n/)|/(delete|history)/"
)

# Findings that come from Django's own admin templates, not from our admin classes: (rule, page, reason).
DJANGO_ADMIN_FINDINGS = [
    (
        "link-in-text-block",
        "/admin/",
        "admin/base.html: the breadcrumbs' links differ from their text by colour only",
    ),
    (
        "label",
        "/admin/access/grant/",
        "AdminSplitDateTime: its “Date:” and “Time:” are plain text, not labels",
    ),
    ("aria-prohibited-attr", "/admin/auth/group/", "filter_horizontal's search icon: aria-label on a <span>"),
    ("aria-prohibited-attr", "/admin/identity/user/", "the same filter_horizontal, for the user's groups"),
]


@dataclass
class Crawl:
    seen: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    by_person: dict[str, int] = field(default_factory=dict)


def page_kind(url: str) -> str:
    """One visit per kind of page: numbers in the path and the values of the query are left out."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+/", "/N/", parts.path)
    path = re.sub(r"/[0-9a-f-]{32,36}/", "/UUID/", path)
    path = re.sub(r"/CPMS-[0-9A-Z]{10}/", "/PSEUDONYM/", path)  # a patient's pages: one patient is enough
    if path.startswith("/admin/"):
        return path
    names = sorted({name for name, _ in parse_qsl(parts.query) if name != "page"})
    return path + ("?" + urlencode([(n, "") for n in names]) if names else "")


def allowed_finding(rule: str, path: str) -> bool:
    return any(
        rule == r and (path == p or (p.endswith("/") and path.startswith(p)))
        for r, p, _ in DJANGO_ADMIN_FINDINGS
    )


def check(page, path: str, size: str, crawl: Crawl) -> None:
    for violation in accessibility_violations(page, injected=True):
        rule = violation.split(":", 1)[0]
        if path.startswith("/admin/") and allowed_finding(rule, path):
            continue
        crawl.problems.append(f"{size} {path}: {violation}")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        crawl.problems.append(f"{size} {path}: {overflow} px wider than the screen")


def links_on(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(link => link.href.split('#')[0])"
    )
    found = []
    for href in hrefs:
        if not href.startswith(origin):
            continue
        path = href[len(origin) :] or "/"
        if not SKIPPED.search(path):
            found.append(path)
    return found


def crawl_as(page, size: str, origin: str, starts: list[str], crawl: Crawl) -> None:
    queue = deque(starts)
    while queue and crawl.pages < MAX_PAGES:
        path = queue.popleft()
        if size == "phone" and path.startswith("/admin/"):
            continue  # Django's own admin and its responsive layout: checked on the desktop
        kind = page_kind(path)
        if kind in crawl.seen and path not in starts:
            continue
        crawl.seen.add(kind)
        crawl.pages += 1
        response = page.goto(path)
        if response is None or response.status >= 400:
            crawl.problems.append(f"{path}: HTTP {response.status if response else 'no response'}")
            continue
        landed = page.url[len(origin) :]
        check(page, landed, size, crawl)
        new_links = [] if landed.startswith("/outbox/") else links_on(page, origin)
        queue.extend(link for link in new_links if page_kind(link) not in crawl.seen)


def session_cookie(user: User, methods) -> str:
    client = sign_in(Client(), user, methods=methods)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def load_demo() -> None:
    call_command("load_reference_data", verbosity=0)
    call_command("load_thematic_areas", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    call_command("load_demo_patients", verbosity=0)


SIZES = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}


@pytest.mark.parametrize("size", SIZES)
def test_every_page_of_every_demo_person_is_accessible(browser, site, settings, size):
    settings.SITE_URL = site
    load_demo()
    crawl = Crawl()
    first_area = ThematicArea.objects.filter(ern__code="ERN-RND").order_by("name").first()
    for email, methods, first_use_done, starts in PERSONAS:
        cookies = []
        if email:
            user = User.objects.get(email=email)
            if first_use_done:
                complete_profile(user, areas=[first_area])
            value = session_cookie(user, methods)
            cookies = [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": site}]
        context = browser.new_context(base_url=site, locale="en-GB", **SIZES[size])
        try:
            context.add_init_script(path=AXE)  # not a <script> tag: the CSP would refuse it
            if cookies:
                context.add_cookies(cookies)
            before = crawl.pages
            crawl_as(context.new_page(), size, site, starts, crawl)
            crawl.by_person[email or "anonymous"] = crawl.pages - before
        finally:
            context.close()
    assert crawl.pages > 40, crawl.seen
    assert crawl.pages < MAX_PAGES, f"the crawl stopped at {MAX_PAGES} pages: {crawl.by_person}"
    # Each person's start pages were opened (a crawl cut short would leave the last people out).
    assert all(crawl.by_person[email or "anonymous"] >= len(starts) for email, *_, starts in PERSONAS), (
        crawl.by_person
    )
    assert not crawl.problems, f"{crawl.pages} pages:\n" + "\n".join(crawl.problems)
