"""Rotate the key that signs ID tokens (embedded default: the files under var/oidc/).

The retired key stays published in the JWKS until the tokens it signed have expired; `--prune`
deletes the retired keys older than the longest token lifetime. Restart the server afterwards:
keys are read when it starts.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from oauth2_provider.settings import oauth2_settings

from cpms.lib import keys


def longest_token_lifetime() -> timedelta:
    return timedelta(
        seconds=max(oauth2_settings.ID_TOKEN_EXPIRE_SECONDS, oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    )


class Command(BaseCommand):
    help = "Retire the OpenID Connect signing key and create a new one (embedded default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Only delete the retired keys older than the longest ID/access token lifetime.",
        )

    def handle(self, *args, prune: bool = False, **options):
        if not settings.EMBEDDED:
            raise CommandError(
                "In production the keys come from the environment: put the new key in "
                "OIDC_RSA_PRIVATE_KEY(_FILE), append the old one to OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE, "
                "restart, and remove it from there once the longest token lifetime has passed."
            )
        key_dir = settings.OIDC_KEY_DIR
        now = timezone.now()
        if prune:
            lifetime = longest_token_lifetime()
            removed = keys.prune(key_dir, older_than=lifetime, now=now)
            for path in removed:
                self.stdout.write(f"Deleted the retired key {path}")
            self.stdout.write(
                f"{len(removed)} retired key(s) deleted (retired more than {lifetime} ago); "
                f"{len(keys.retired_keys(key_dir))} still published."
            )
            return
        retired = keys.rotate(key_dir, now=now)
        self.stdout.write(f"Retired the signing key to {retired}: still published in the JWKS.")
        self.stdout.write(f"New signing key in {key_dir / keys.ACTIVE}. Restart the server to use it.")
