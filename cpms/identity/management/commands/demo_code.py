import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cpms.identity.models import TotpDevice


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account (embedded default only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.EMBEDDED:
            raise CommandError(
                "Only in the embedded default: real accounts' codes never leave their devices."
            )
        device = TotpDevice.objects.filter(user__email__iexact=email, confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} has no authenticator app.")
        self.stdout.write(pyotp.TOTP(device.secret).now())
