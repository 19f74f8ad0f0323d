"""Demo accounts for the embedded default; safe to run again (it resets them)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cpms.identity.models import PhoneNumber, TotpDevice, User

DEMO_PASSWORD = "demo-password-2026"
# A fixed key, so the demo authenticator can be added once and keeps working across runs.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_PHONE = "+33612345678"

DEMO_PEOPLE = [
    # username, e-mail, first name, last name, e-mail language, second factor
    ("nhelena1", "helena.weber@demo.cpms.eu", "Helena", "Weber", "de", "totp"),
    ("nmarc002", "marc.lefevre@demo.cpms.eu", "Marc", "Lefèvre", "fr", "sms"),
    ("nsofia03", "sofia.rossi@demo.cpms.eu", "Sofia", "Rossi", "it", None),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo accounts and print how to sign in as each."

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError("Demo accounts are only for the embedded default (no DATABASE_URL).")
        with transaction.atomic():
            for person in DEMO_PEOPLE:
                self.reset_person(*person)
        self.print_sign_ins()

    @staticmethod
    def reset_person(username, email, first_name, last_name, language, factor):
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "email_language": language,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.totp_devices.all().delete()
        user.phone_numbers.all().delete()
        if factor == "totp":
            TotpDevice.objects.create(
                user=user, name="Demo authenticator", secret=DEMO_TOTP_SECRET, confirmed=True
            )
        if factor == "sms":
            PhoneNumber.objects.create(user=user, number=DEMO_PHONE, verified_at=timezone.now())

    def print_sign_ins(self):
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("Demo sign-ins (password for all: %s)" % DEMO_PASSWORD))
        w("  helena.weber@demo.cpms.eu  Password + Authenticator app.")
        w(f"      Add the key {DEMO_TOTP_SECRET} to any authenticator app, or get the current code with:")
        w("      uv run python manage.py demo_code helena.weber@demo.cpms.eu")
        w(f"  marc.lefevre@demo.cpms.eu   Password + Mobile Phone + SMS ({DEMO_PHONE}).")
        w("      The SMS code appears in the outbox: http://localhost:8000/outbox/")
        w("  sofia.rossi@demo.cpms.eu    Password only; set up a second factor under My Account.")
        w("  Or create your own account; its e-mails arrive in the outbox too.")
        w("")
