"""Security headers that Django does not set by itself; each signed-in user's time zone."""

import functools
import zoneinfo

from django.utils import timezone
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline scripts anywhere: an injected <script> does not run
        "style-src 'self' 'unsafe-inline'",  # style attributes and htmx's indicator style
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy(**additions: tuple[str, ...]):
    """A view decorator: this view's pages get the site's policy with a few sources added, as
    `script_src=("'wasm-unsafe-eval'",)` (a directive the policy lacks is added whole, after
    default-src). The middleware keeps a policy a view set. Only for the page that needs it.
    """

    def policy() -> str:
        directives = [part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; ")]
        wanted = {name.replace("_", "-"): sources for name, sources in additions.items()}
        extended = [f"{name} {value} {' '.join(wanted.pop(name, ()))}".strip() for name, value in directives]
        extended[1:1] = [f"{name} {' '.join(sources)}" for name, sources in wanted.items()]
        return "; ".join(extended)

    header = policy()

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.headers["Content-Security-Policy"] = header
            return response

        return wrapped

    return decorator


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class NoStoreWhenSignedInMiddleware:
    """Pages for a signed-in user are never kept by the browser or a proxy (Cache-Control: no-store):
    after signing out on a shared computer, the Back button must not show them again.

    Placed after AuthenticationMiddleware; signed in when the request came or when the response left
    (a sign-in page's redirect carries the new session cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class UserTimeZoneMiddleware:
    """Dates and times are shown in the signed-in user's time zone (`time_zone` on the user)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None  # a zone this machine's tzdata no longer knows: the site's default
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


def room_security_headers(response, host: str, secure: bool):
    """The meeting room's page only (cpms/meetings/views/room.py): its WebSocket to this same host
    (`'self'` does not cover ws:/wss: in every browser) and the camera, microphone and screen for this
    origin. media-src is not widened: the videos play MediaStreams through `srcObject`, not blob: URLs.
    The rest of the site keeps the policy above; the middleware leaves headers a view set."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self'", f"connect-src 'self' {'wss' if secure else 'ws'}://{host}"
    )
    response.headers["Permissions-Policy"] = (
        "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()"
    )
    return response
