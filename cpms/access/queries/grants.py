"""Who may do what, from their active grants. Read on every request: a revoked grant stops at once.

Pages read the user's access once per request through `scopes.access_for(request)`; the
querysets here are for the OpenID Connect claims, the e-mails to validators and the tests.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..models import Grant

COORDINATOR = "coordinator"
DISPATCHER = "dispatcher"
HP = "hp"
RESEARCHER = "researcher"


def effective_grants() -> QuerySet[Grant]:
    """Active grants whose prerequisite is active too.

    Coordinator and Dispatcher need HP in the same ERN: when the holder's last HP grant there is
    revoked or expires, their Coordinator or Dispatcher grant stops counting at the same moment.
    """
    prerequisite = Grant.objects.active().filter(
        user_id=OuterRef("user_id"), ern_id=OuterRef("ern_id"), profile_id=OuterRef("profile__requires_id")
    )
    return Grant.objects.active().filter(Q(profile__requires=None) | Exists(prerequisite))


def active_grants(user, application_code: str = "cpms") -> QuerySet[Grant]:
    return (
        effective_grants()
        .filter(user=user, application__code=application_code)
        .select_related("organisation__parent", "ern", "profile", "application")
        .order_by("ern__code", "organisation__code", "profile__position")
    )


def has_active_grant(user, application_code: str = "cpms") -> bool:
    return effective_grants().filter(user=user, application__code=application_code).exists()


def is_administrator(user) -> bool:
    return user.is_active and user.is_superuser
