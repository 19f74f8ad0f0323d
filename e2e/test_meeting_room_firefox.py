"""The meeting room across browsers: a Chromium page (Playwright, as test_meeting_room.py) and a
Firefox page (Debian's firefox-esr over WebDriver BiDi, e2e/bidi.py) in the same meeting, each with
fake camera and microphone. The organiser, in Chromium, admits the member, in Firefox, from the
lobby; each page receives video frames and audio packets from the other (getStats); chat both ways.

firefox-esr is part of the test set-up (`make test` installs it, as it does chromium): when it is
missing the test fails and says so, it is not skipped.
"""

import logging
import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cpms.meetings.models import Attendance, ChatMessage
from cpms.meetings.tests.factories import make_meeting_world
from cpms.test import sign_in

from . import test_meeting_room as chromium_room
from .bidi import Firefox, firefox_executable
from .test_meeting_room import (
    RECEIVED,
    RECORD_PEER_CONNECTIONS,
    poll_media,
    wait_for_media,
    wait_until_everyone_left,
)

logger = logging.getLogger(__name__)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The Chromium side's fixtures: a Chromium with fake media, and a signed-in page in it.
media_browser = chromium_room.media_browser
open_as = chromium_room.open_as

FIREFOX_MEDIA_PREFS = {
    "media.navigator.streams.fake": True,  # a test pattern and a tone instead of a camera and microphone
    "media.navigator.permission.disabled": True,  # no permission prompt
    "media.autoplay.default": 0,
    "media.autoplay.blocking_policy": 0,
    "media.peerconnection.ice.obfuscate_host_addresses": False,  # host candidates as IPs: no mDNS here
}


@pytest.fixture
def firefox():
    if firefox_executable() is None:
        pytest.fail("Debian's firefox-esr is missing: `make test` installs it (apt-get install firefox-esr).")
    with Firefox(FIREFOX_MEDIA_PREFS) as browser:
        browser.add_init_script(RECORD_PEER_CONNECTIONS)
        yield browser
    # The page's errors, for the failure report: logged (pytest shows them with a failure), not asserted.
    for entry in browser.console:
        if entry.get("level") == "error":
            logger.warning("Firefox console: %s", entry.get("text"))


@pytest.fixture
def open_in_firefox(firefox):
    """A signed-in Firefox tab. Sign in before any page is open: on SQLite the server's threads share
    the test's in-memory database, and a session written while they read it finds its table locked."""

    def open_tab(user):
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        firefox.set_cookie(settings.SESSION_COOKIE_NAME, cookie, domain="localhost")
        return firefox.new_tab()

    return open_tab


VISIBLE = "(id) => { const e = document.getElementById(id); return Boolean(e && !e.closest('[hidden]')); }"
CLICK = """(id) => {
  const e = document.getElementById(id);
  if (e.disabled) return false;
  e.click();
  return true;
}"""
SEND_CHAT = """(body) => {
  document.getElementById('room-chat-input').value = body;
  document.getElementById('room-chat-form').requestSubmit();
}"""
CHOSEN_DEVICES = "() => ['room-camera', 'room-microphone'].map((id) => document.getElementById(id).value)"
MARKED = """(id) => {
  const row = document.querySelector(`#room-participants [data-person='${id}']`);
  return /(Good|Fair|Poor) connection/.test(row?.textContent || "");
}"""
CONTAINS = "(id, text) => document.getElementById(id).textContent.includes(text)"


STATES = """async () => {
  const out = [];
  for (const pc of window.__peerConnections) {
    const row = [pc.signalingState, pc.iceConnectionState, pc.connectionState, pc.iceGatheringState];
    (await pc.getStats()).forEach((r) => {
      if (r.type.endsWith("candidate")) row.push([r.type, r.address, r.port, r.protocol, r.candidateType]);
      if (r.type === "candidate-pair") row.push([r.type, r.state, r.nominated]);
    });
    const ice = (sdp) => sdp?.split("\n").filter((l) => /^a=(ice-ufrag|candidate)/.test(l));
    row.push(ice(pc.remoteDescription?.sdp), ice(pc.localDescription?.sdp));
    out.push(row);
  }
  return out;
}"""


def wait_for_firefox_media(tab, seconds=20):
    received, arrived = poll_media(lambda: tab.call(RECEIVED), seconds)
    assert arrived, f"Firefox has no media from Chromium: {received}, peer connections: {tab.call(STATES)}"
    return received


def test_it_joins_a_chromium_organiser_from_firefox_with_media_both_ways_and_chat(
    open_as, open_in_firefox, asgi_site
):
    world = make_meeting_world()
    room = f"/cpms/meetings/{world.meeting.pk}/room/"
    organiser, member = open_as(world.enrolling), open_in_firefox(world.expert)
    organiser.set_default_timeout(30_000)  # a Firefox beside it: a slower machine
    organiser.goto(room)
    expect(organiser.get_by_role("button", name="Open the room")).to_be_enabled()
    organiser.get_by_role("button", name="Open the room").click()
    expect(organiser.get_by_role("heading", name="In the meeting")).to_be_visible()

    member.goto(asgi_site + room)
    member.wait_for("() => !document.getElementById('room-join').disabled")
    cameras, microphones = member.call(CHOSEN_DEVICES)
    assert cameras and microphones, "Firefox's fake devices are not offered"
    member.wait_for(CLICK, "room-join")
    member.wait_for(VISIBLE, "room-waiting")
    organiser.get_by_role("button", name=f"Admit {world.expert}").click()
    member.wait_for(VISIBLE, "room-main")

    try:
        wait_for_media(organiser)
    except AssertionError as error:
        states = organiser.evaluate(STATES), member.call(STATES)
        raise AssertionError(f"{error}; peer connections (Chromium, Firefox): {states}") from None
    wait_for_firefox_media(member)
    expect(organiser.locator("#room-participants")).to_contain_text(str(world.expert))
    member.wait_for(CONTAINS, "room-participants", str(world.enrolling))

    # The connection-quality mark, from getStats, on each side.
    expert_row = organiser.locator(f"#room-participants [data-person='{world.expert.pk}']")
    expect(expert_row).to_contain_text(re.compile("(Good|Fair|Poor) connection"))
    member.wait_for(MARKED, world.enrolling.pk)
    member.wait_for(CLICK, "room-mute")
    expect(expert_row).to_contain_text("muted")

    # Firefox's socket drops: it comes back in (rejoin), makes its offer again, and media flow again.
    member.call("() => window.__sockets.at(-1).close()")
    member.wait_for("() => window.__sockets.length === 2 && window.__sockets[1].readyState === 1")
    member.wait_for(VISIBLE, "room-main")
    wait_for_media(organiser)
    wait_for_firefox_media(member)

    member.call(SEND_CHAT, "Seen from Firefox.")
    expect(organiser.locator("#room-chat")).to_contain_text("Seen from Firefox.")
    organiser.get_by_label("Message").fill("And from Chromium.")
    organiser.get_by_role("button", name="Send").click()
    member.wait_for(CONTAINS, "room-chat", "And from Chromium.")

    member.wait_for(CLICK, "room-leave")
    member.wait_for(VISIBLE, "room-prejoin")
    organiser.get_by_role("button", name="Leave").click()
    wait_until_everyone_left(world.meeting, seconds=15)

    assert list(ChatMessage.objects.order_by("pk").values_list("author_id", flat=True)) == [
        world.expert.pk,
        world.enrolling.pk,
    ]
    stays = Attendance.objects.filter(meeting=world.meeting, user=world.expert)
    assert [(stay.admitted_by_id, stay.left_at is not None) for stay in stays] == [
        (world.enrolling.pk, True)
    ] * 2
