"""Setting up a first second factor on the way into a service (CPMS needs two factors).

A service's gate sends a password-only user to add a factor with `?next=<where they were going>`;
once the new factor has proved itself (a code from the app or the SMS, a signed WebAuthn
challenge) the session counts it, as if the user had signed in with it, and they go on. Set up
from My Account, a factor changes nothing for the session. This
gives nothing a password alone would not: its holder could add the factor, sign out and sign in
with it. A new session id comes with it, as at every sign-in.
"""

from django.utils.http import url_has_allowed_host_and_scheme

from .models import UserSession
from .queries import live_login_session
from .sessions import has_two_factors, reverify, verified_methods

NEXT_KEY = "setup.next"


def safe_local_path(url: str) -> str:
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return ""


def remember_where_to_go_on(request) -> None:
    """On the page that adds a factor: keep `?next=` (a path on this site only) for afterwards."""
    next_url = safe_local_path(request.GET.get("next", ""))
    if next_url:
        request.session[NEXT_KEY] = next_url


def after_new_factor(request, amr: str) -> str:
    """On the way into a service: count the factor just proven and return where to go on, else "".

    Outside that path (no `next` kept) the session stays as it was verified.
    """
    next_url = request.session.pop(NEXT_KEY, "")
    if next_url and not has_two_factors(request):
        login_session = live_login_session(request.session.session_key)
        if login_session is not None:
            methods = [*dict.fromkeys([*verified_methods(request), amr])]
            reverify(request, login_session, methods)
            UserSession.objects.filter(pk=login_session.pk).update(methods=methods)
    return next_url
