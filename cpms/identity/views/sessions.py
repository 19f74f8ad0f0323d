from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from ua_parser import parse as parse_user_agent

from ..actions.sessions import (
    do_end_other_sessions,
    do_end_session,
    do_panic,
)
from ..models import ServiceSignIn, UserSession
from ..queries import get_session_for_user, live_service_signins, live_sessions_for, panic_counts
from ..sessions import method_labels


@dataclass
class SessionRow:
    session: UserSession
    browser: str
    os: str
    methods: list[str]
    current: bool
    services: list[ServiceSignIn] = field(default_factory=list)  # signed in through it (OpenID Connect)


def describe_session(
    login_session: UserSession, current_key: str | None, services: list[ServiceSignIn] | None = None
) -> SessionRow:
    parsed = parse_user_agent(login_session.user_agent) if login_session.user_agent else None
    browser = parsed.user_agent.family if parsed and parsed.user_agent else ""
    os = parsed.os.family if parsed and parsed.os else ""
    return SessionRow(
        session=login_session,
        browser=browser if browser and browser != "Other" else _("Unknown browser"),
        os=os if os and os != "Other" else _("unknown system"),
        methods=method_labels(login_session.methods),
        current=login_session.session_key == current_key,
        services=services or [],
    )


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    current_key = request.session.session_key
    login_sessions = live_sessions_for(request.user)
    services = live_service_signins(login_sessions)
    rows = [describe_session(s, current_key, services.get(s.pk)) for s in login_sessions]
    rows.sort(key=lambda row: not row.current)  # this session first, then the last active
    return render(
        request,
        "identity/sessions.html",
        {
            "rows": rows,
            "has_others": any(not row.current for row in rows),
            "has_services": any(row.services for row in rows),
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    login_session = get_session_for_user(request.user, pk)
    is_current = login_session.session_key == request.session.session_key
    do_end_session(acting_user=request.user, login_session=login_session)
    if is_current:
        auth_logout(request)
        messages.success(request, _("You are signed out."))
        return redirect("identity:login")
    messages.success(request, _("The session was ended."))
    return redirect("identity:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = do_end_other_sessions(acting_user=request.user, current_session_key=request.session.session_key)
    if ended:
        messages.success(request, _("All your other sessions were ended."))
    else:
        messages.info(request, _("You had no other sessions."))
    return redirect("identity:sessions")


@login_required  # not require_recent_verification: PANIC must work with a password alone
@require_http_methods(["GET", "POST"])
def panic(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        do_panic(acting_user=request.user)
        auth_logout(request)
        messages.success(
            request,
            _(
                "All your verification devices were removed and all your sessions were ended. "
                "Sign in with your password, then set up new devices under My Account."
            ),
        )
        return redirect("identity:login")
    return render(request, "identity/panic.html", {"counts": panic_counts(request.user)})
