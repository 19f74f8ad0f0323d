"""Single-use, expiring links sent by e-mail; only the token's hash is stored."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import EmailLink, User

LINK_LIFETIME = timedelta(hours=24)


class LinkProblem(Exception):
    """Why a link cannot be used: 'invalid', 'used' or 'expired'."""

    def __init__(self, reason: str, link: EmailLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(user: User, purpose: str, *, new_email: str = "") -> str:
    """Create a link and return its token; earlier unused links of the same purpose stop working."""
    now = timezone.now()
    EmailLink.objects.filter(user=user, purpose=purpose, used_at=None).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    EmailLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=hash_token(token),
        new_email=new_email,
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    return token


def find_usable_link(token: str, purpose: str) -> EmailLink:
    link = (
        EmailLink.objects.select_related("user").filter(token_hash=hash_token(token), purpose=purpose).first()
    )
    if link is None:
        raise LinkProblem("invalid")
    if link.used_at is not None:
        raise LinkProblem("used", link)
    if link.is_expired:
        raise LinkProblem("expired", link)
    return link


def use_link(link: EmailLink) -> None:
    """Mark the link used, once: LinkProblem("used") if another request used it since it was read."""
    now = timezone.now()
    if not EmailLink.objects.filter(pk=link.pk, used_at=None).update(used_at=now):
        raise LinkProblem("used", link)
    link.used_at = now
