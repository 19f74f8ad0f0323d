import time

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .actions.sessions import do_sign_out
from .models import UserSession
from .sessions import session_expiry

TOUCH_EVERY_SECONDS = 60


class SessionLifetimeMiddleware:
    """Ends a session after 30 idle minutes or 12 hours, as signing out does: the services signed in
    through it (OpenID Connect) lose their tokens.

    "Last active" is written at most once a minute, so most pages cost no extra write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if reason := session_expiry(request):
                do_sign_out(
                    acting_user=request.user,
                    session_key=request.session.session_key,
                    action="identity.session.expired",
                    data={"reason": reason},
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
