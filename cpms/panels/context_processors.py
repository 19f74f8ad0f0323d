"""The header's notifications place (templates/components/_notifications.html): the unread count.

Only on CPMS pages (under /cpms/) for a verified user with a CPMS grant; nothing, and no query, for
anonymous visitors, the access desk or the sign-in service. The count is read when the header
renders it (one query on the (recipient, read_at) index), never on a page that draws no header.
"""

from functools import cached_property

from django.urls import reverse

from cpms.access.queries.scopes import access_for
from cpms.identity.sessions import has_two_factors

from .queries import APPLICATION
from .queries.notifications import unread_count

CPMS_PREFIX = "/cpms/"


class HeaderNotifications:
    def __init__(self, request):
        self.request = request

    @cached_property
    def shown(self) -> bool:
        return has_two_factors(self.request) and access_for(self.request).has_grant(APPLICATION)

    def __bool__(self) -> bool:
        return self.shown

    @cached_property
    def count(self) -> int:
        return unread_count(self.request.user) if self.shown else 0

    @cached_property
    def url(self) -> str:
        return reverse("panels:notification-list")


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith(CPMS_PREFIX):
        return {}
    return {"notifications": HeaderNotifications(request)}
