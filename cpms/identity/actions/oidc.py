"""Services signed in through CPMS Login (OpenID Connect): consent, and ending their sign-ins.

A service sign-in (ServiceSignIn) belongs to one browser session; ending it revokes the access and
refresh tokens the service received through it. Ending the browser session (from "Display my
sessions", PANIC, sign-out, time-out, a new password, account deletion) ends its service sign-ins:
see sessions.end_sessions.
"""

from django.db import transaction
from django.utils import timezone

from cpms.audit.record import record

from ..models import ServiceConsent, ServiceCredential, ServiceSignIn, User
from ..oidc import revoke_credentials


def end_service_signins(signins) -> int:
    """Revoke the tokens of these service sign-ins and mark them ended (no audit: callers record)."""
    signins = list(signins)
    if not signins:
        return 0
    revoke_credentials(ServiceCredential.objects.filter(signin__in=signins))
    ServiceSignIn.objects.filter(pk__in=[s.pk for s in signins]).update(ended_at=timezone.now())
    return len(signins)


def end_services_of_sessions(login_sessions) -> int:
    """Called whenever browser sessions end: their services lose their tokens."""
    return end_service_signins(ServiceSignIn.objects.filter(login_session__in=login_sessions, ended_at=None))


@transaction.atomic
def do_end_service_signin(*, acting_user: User, signin: ServiceSignIn) -> None:
    """ "Sign out of <service>": the service's tokens from that browser session are revoked."""
    end_service_signins([signin])
    record(
        acting_user,
        "identity.service.signed_out",
        signin,
        {"client_id": signin.application.client_id, "service": signin.application.name},
    )


@transaction.atomic
def do_record_consent(*, acting_user: User, application, scopes: list[str]) -> None:
    consent = (
        ServiceConsent.objects.select_for_update().filter(user=acting_user, application=application).first()
    )
    if consent is None:
        consent = ServiceConsent(user=acting_user, application=application, scopes="")
    consent.scopes = " ".join(sorted(set(consent.scopes.split()) | set(scopes)))
    consent.granted_at = timezone.now()
    consent.save()
    record(
        acting_user,
        "identity.service.consented",
        application,
        {"client_id": application.client_id, "scopes": consent.scopes},
    )
