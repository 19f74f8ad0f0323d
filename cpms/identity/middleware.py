import time

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import UserSession
from .sessions import session_expired

TOUCH_EVERY_SECONDS = 60


class SessionLifetimeMiddleware:
    """Ends a session after 30 idle minutes or 12 hours.

    "Last active" is written at most once a minute, so most pages cost no extra write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if session_expired(request):
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    ended_at=timezone.now()
                )
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect("identity:login")
            self._touch(request)
        return self.get_response(request)

    @staticmethod
    def _touch(request) -> None:
        now = time.time()
        if now - request.session.get("session.seen_at", 0) >= TOUCH_EVERY_SECONDS:
            request.session["session.seen_at"] = now
            UserSession.objects.filter(session_key=request.session.session_key).update(
                last_active_at=timezone.now()
            )
