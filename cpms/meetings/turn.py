"""The ICE servers a browser in the room may use, with short-lived TURN credentials.

coturn runs with `use-auth-secret` and `static-auth-secret` = settings.TURN_SECRET (deploy/meetings/):
it accepts username "<expiry unix time>:<user id>" with password base64(HMAC-SHA1(secret, username))
until that time, the "TURN REST API" scheme (draft-uberti-behave-turn-rest). CPMS never stores them;
the room's consumer mints fresh ones each time a person is admitted.
"""

import base64
import hashlib
import hmac
import time

from django.conf import settings


def turn_credential(user_id: int, *, now: float | None = None) -> tuple[str, str]:
    """(username, password) for `user_id`, valid for settings.TURN_CREDENTIAL_SECONDS."""
    expiry = int(now if now is not None else time.time()) + settings.TURN_CREDENTIAL_SECONDS
    username = f"{expiry}:{user_id}"
    digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(user_id: int, *, now: float | None = None) -> list[dict]:
    """RTCConfiguration.iceServers: STUN, then TURN with a credential when TURN is configured."""
    servers = [{"urls": list(settings.STUN_URLS)}] if settings.STUN_URLS else []
    if settings.TURN_URLS and settings.TURN_SECRET:
        username, credential = turn_credential(user_id, now=now)
        servers.append({"urls": list(settings.TURN_URLS), "username": username, "credential": credential})
    return servers
