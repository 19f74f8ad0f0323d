import pytest

from cpms.meetings.tests.factories import make_meeting
from cpms.panels.tests.factories import make_panel_world

from .helpers import bearer, make_token


@pytest.fixture
def world(db):
    """The panels' world (cpms/panels/tests/factories.py) and a meeting of the panel, organised by
    its lead (`enrolling`, HP at DE22), its members invited."""
    world = make_panel_world()
    world.meeting = make_meeting(world.enrolling, panels=[world.panel])
    return world


@pytest.fixture
def api(client):
    """`api(user)` → a client calling with a fresh two-factor token of the user (None: anonymous)."""

    def call(user=None, **token):
        headers = bearer(make_token(user, **token)) if user is not None else {}
        return Caller(client, headers)

    return call


class Caller:
    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def get(self, url, data=None, headers=None):
        return self.client.get(url, data, headers={**self.headers, **(headers or {})})

    def send(self, method, url, data=None, headers=None):
        return getattr(self.client, method)(
            url, data, content_type="application/json", headers={**self.headers, **(headers or {})}
        )

    def post(self, url, data=None, headers=None):
        return self.send("post", url, data, headers)

    def patch(self, url, data=None, headers=None):
        return self.send("patch", url, data, headers)
