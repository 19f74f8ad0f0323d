from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Long passphrases are welcome; absurd lengths are refused before they reach the hasher."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max)d character.",
                    "This password is too long. It must contain at most %(max)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max": self.max_length},
            )

    def get_help_text(self):
        return _("Your password can be up to %(max)d characters long.") % {"max": self.max_length}


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's parameters: 19 MiB, 2 passes, 1 lane.

    Django's default (100 MiB, 8 lanes) costs as much memory per sign-in as a small server has
    to spare for a few at once: a burst of sign-ins would exhaust memory long before CPU. Hashes
    made with other parameters are rehashed with these at the next sign-in (must_update).
    """

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
