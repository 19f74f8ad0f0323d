"""The meeting room in a real Chromium: two invited people, fake camera and microphone, the lobby,
WebRTC media between the two pages (asserted from getStats), and the chat.

The room needs WebSocket: the pages are served by daphne (conftest's asgi_site), not by
pytest-django's live server.
"""

import re
import shutil
import time

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from playwright.sync_api import expect

from cpms.meetings.models import Attendance, ChatMessage
from cpms.meetings.tests.factories import make_meeting_world
from cpms.test import sign_in

from .conftest import CHROMIUM_ARGS, accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",  # a test pattern and a beep instead of a camera and microphone
    "--use-fake-ui-for-media-stream",  # no permission prompt
    "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns",  # host candidates as IP addresses: no mDNS here
]

# Test-only: keep each page's RTCPeerConnections where the test can read their statistics, and its
# WebSockets where the test can drop one (as a network or a server restart would).
RECORD_PEER_CONNECTIONS = """
window.__peerConnections = [];
const Original = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Original {
  constructor(...args) { super(...args); window.__peerConnections.push(this); }
};
window.__sockets = [];
const OriginalSocket = window.WebSocket;
window.WebSocket = class extends OriginalSocket {
  constructor(...args) { super(...args); window.__sockets.push(this); }
};
"""

RECEIVED = """async () => {
  const received = {video: 0, audio: 0};
  for (const pc of window.__peerConnections) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((report) => {
      if (report.type !== "inbound-rtp") return;
      if (report.kind === "video") received.video += report.framesDecoded || 0;
      if (report.kind === "audio") received.audio += report.packetsReceived || 0;
    });
  }
  return received;
}"""


@pytest.fixture
def media_browser(browser):
    """A Chromium of its own with fake media devices (the shared one has none)."""
    media = browser.browser_type.launch(
        executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS + MEDIA_ARGS
    )
    yield media
    media.close()


@pytest.fixture
def open_as(media_browser, asgi_site, settings):
    settings.SITE_URL = asgi_site

    def open_page(user):
        context = media_browser.new_context(base_url=asgi_site, locale="en-GB")
        context.grant_permissions(["camera", "microphone"])
        context.add_init_script(RECORD_PEER_CONNECTIONS)
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": asgi_site}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    return open_page


def poll_media(read, seconds=20) -> tuple[dict, bool]:
    """Reads `read()` (RECEIVED's answer) until video frames and audio packets arrived: the last answer,
    and whether they did."""
    deadline = time.monotonic() + seconds
    received = {}
    while time.monotonic() < deadline:
        received = read()
        if received["video"] > 0 and received["audio"] > 0:
            return received, True
        time.sleep(0.25)
    return received, False


def wait_for_media(page, seconds=20):
    """Until the page decodes video frames and receives audio packets from the other one."""
    received, arrived = poll_media(lambda: page.evaluate(RECEIVED), seconds)
    assert arrived, f"no media from the other page: {received}"
    return received


def wait_until_everyone_left(meeting, seconds=10):
    """Until the server has recorded every departure. On SQLite a read while daphne's thread writes
    to the shared in-memory database finds the table locked (no busy timeout there): read again."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if not Attendance.objects.filter(meeting=meeting, left_at=None).exists():
                return
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        assert time.monotonic() < deadline, "the room did not record the departures"
        time.sleep(0.1)


def test_two_invited_people_meet_see_and_hear_each_other_and_chat(open_as):
    world = make_meeting_world()
    room = f"/cpms/meetings/{world.meeting.pk}/room/"
    organiser, member = open_as(world.enrolling), open_as(world.expert)

    organiser.goto(room)
    expect(organiser.get_by_label("Camera", exact=True)).not_to_have_value("")
    expect(organiser.get_by_role("button", name="Open the room")).to_be_enabled()
    assert accessibility_violations(organiser) == []
    organiser.get_by_role("button", name="Open the room").click()
    expect(organiser.get_by_role("heading", name="In the meeting")).to_be_visible()

    member.goto(room)
    member.get_by_role("button", name="Ask to join").click()
    expect(member.get_by_role("heading", name="Waiting at the lobby")).to_be_visible()
    organiser.get_by_role("button", name=f"Admit {world.expert}").click()
    expect(member.get_by_role("heading", name="In the meeting")).to_be_visible()

    for page in (organiser, member):
        wait_for_media(page)
    expect(organiser.locator("#room-participants")).to_contain_text(str(world.expert))
    expect(member.locator("#room-participants")).to_contain_text(str(world.enrolling))
    # The member's socket drops: the page says it is reconnecting, comes back in without knocking
    # again (rejoin), and media and chat flow again.
    member.evaluate("window.__sockets.at(-1).close()")
    expect(member.locator("#room-reconnecting")).to_be_visible()
    expect(member.locator("#room-reconnecting")).to_contain_text("Reconnecting…")
    expect(member.locator("#room-reconnecting")).to_be_hidden()
    expect(member.get_by_role("heading", name="In the meeting")).to_be_visible()
    assert member.evaluate("window.__sockets.length") == 2
    assert member.evaluate("window.__sockets.at(-1).url").endswith("?rejoin=1")
    expect(organiser.locator("#room-participants")).to_contain_text(str(world.expert))
    for page in (organiser, member):
        wait_for_media(page)
    member.get_by_label("Message").fill("Back after the drop.")
    member.get_by_role("button", name="Send").click()
    expect(organiser.locator("#room-chat")).to_contain_text("Back after the drop.")

    # The connection-quality mark, from getStats (round trip of the selected candidate pair).
    expert_row = organiser.locator(f"#room-participants [data-person='{world.expert.pk}']")
    expect(expert_row).to_contain_text(re.compile("(Good|Fair|Poor) connection"))
    member.get_by_role("button", name="Mute").click()
    expect(expert_row).to_contain_text("muted")

    member.get_by_label("Message").fill("The MRI shows cerebellar atrophy.")
    member.get_by_role("button", name="Send").click()
    expect(organiser.locator("#room-chat")).to_contain_text("The MRI shows cerebellar atrophy.")

    organiser.get_by_role("button", name="Discuss now").first.click()
    expect(member.locator(".room-agenda-item").first).to_have_attribute("aria-current", "step")
    assert accessibility_violations(member) == []

    for page in (member, organiser):
        page.get_by_role("button", name="Leave").click()
        expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
    wait_until_everyone_left(world.meeting)  # the server's last writes, before the database is flushed

    assert set(ChatMessage.objects.values_list("author_id", flat=True)) == {world.expert.pk}
    first, back = Attendance.objects.filter(meeting=world.meeting, user=world.expert).order_by("pk")
    assert first.admitted_by_id == back.admitted_by_id == world.enrolling.pk
    assert first.left_at is not None and back.left_at is not None
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
