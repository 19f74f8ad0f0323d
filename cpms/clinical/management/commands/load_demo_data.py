"""Demo people for the embedded default; safe to run again (it resets them).

Needs the reference data (`load_reference_data`); `make run` loads both.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cpms.access.models import (
    GUEST_CODE,
    GUEST_GRANT_LIFETIME,
    AccessProfile,
    AccessRequest,
    Grant,
    OrganisationNode,
)
from cpms.identity.models import PhoneNumber, TotpDevice, User

DEMO_PASSWORD = "demo-password-2026"
# One fixed key, so a demo authenticator can be added once and keeps working across runs.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_PHONE = "+33612345678"

# e-mail, first name, last name, e-mail language, second factor, what they can do
DEMO_PEOPLE = [
    ("anna.novak@demo.cpms.eu", "Anna", "Novák", "cs", "totp", "Administrator (validates any request)"),
    ("helena.weber@demo.cpms.eu", "Helena", "Weber", "de", "totp", "Coordinator of ERN-RND and HP at DE22"),
    ("jonas.braun@demo.cpms.eu", "Jonas", "Braun", "de", "sms", "HP at DE22 (ERN-RND)"),
    ("lena.fischer@demo.cpms.eu", "Lena", "Fischer", "de", "totp", "HP at DE05 (ERN-RND)"),
    (
        "sofia.rossi@demo.cpms.eu",
        "Sofia",
        "Rossi",
        "it",
        "totp",
        "Guest HP (ERN-RND, Italy, 0000 Guest Access)",
    ),
    ("piet.devries@demo.cpms.eu", "Piet", "de Vries", "nl", "totp", "Researcher (ERN-RND)"),
    (
        "tomas.horvat@demo.cpms.eu",
        "Tomáš",
        "Horvát",
        "en",
        "totp",
        "No access yet: his HP request at DE22 waits",
    ),
    ("marc.lefevre@demo.cpms.eu", "Marc", "Lefèvre", "fr", None, "Password only: sets up a second factor"),
]

# e-mail → (ERN, country, institution code, profile) grants
DEMO_GRANTS = {
    "helena.weber@demo.cpms.eu": [("ERN-RND", "DE", "DE22", "hp"), ("ERN-RND", "DE", "DE22", "coordinator")],
    "jonas.braun@demo.cpms.eu": [("ERN-RND", "DE", "DE22", "hp")],
    "lena.fischer@demo.cpms.eu": [("ERN-RND", "DE", "DE05", "hp")],
    "sofia.rossi@demo.cpms.eu": [("ERN-RND", "IT", GUEST_CODE, "hp")],
    "piet.devries@demo.cpms.eu": [("ERN-RND", "NL", GUEST_CODE, "researcher")],
}
DEMO_PENDING_REQUESTS = {"tomas.horvat@demo.cpms.eu": [("ERN-RND", "DE", "DE22", "hp")]}


def institution(ern: str, country: str, code: str) -> OrganisationNode:
    return OrganisationNode.objects.select_related("ern").get(
        application__code="cpms", ern__code=ern, parent__code=country, kind="institution", code=code
    )


class Command(BaseCommand):
    help = "Create (or reset) the demo people, their grants and a pending request; print how to sign in."

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError("Demo people are only for the embedded default (no DATABASE_URL).")
        if not OrganisationNode.objects.filter(application__code="cpms").exists():
            raise CommandError("Load the reference data first: manage.py load_reference_data")
        with transaction.atomic():
            users = {person[0]: self.reset_person(*person[:5]) for person in DEMO_PEOPLE}
            users["anna.novak@demo.cpms.eu"].is_staff = users["anna.novak@demo.cpms.eu"].is_superuser = True
            users["anna.novak@demo.cpms.eu"].save(update_fields=["is_staff", "is_superuser"])
            for email, grants in DEMO_GRANTS.items():
                for ern, country, code, profile in grants:
                    self.grant(users[email], institution(ern, country, code), profile, users)
            for email, requests in DEMO_PENDING_REQUESTS.items():
                for ern, country, code, profile in requests:
                    self.pending_request(users[email], institution(ern, country, code), profile)
        self.print_sign_ins()

    @staticmethod
    def reset_person(email, first_name, last_name, language, factor) -> User:
        user = User.objects.filter(email__iexact=email).first() or User(
            username=f"n{email[:7].replace('.', '')}"
        )
        user.email, user.first_name, user.last_name = email, first_name, last_name
        user.email_language, user.is_active, user.preferred_method = language, True, ""
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.totp_devices.all().delete()
        user.phone_numbers.all().delete()
        Grant.objects.filter(user=user).delete()
        AccessRequest.objects.filter(requester=user).delete()
        if factor == "totp":
            TotpDevice.objects.create(
                user=user, name="Demo authenticator", secret=DEMO_TOTP_SECRET, confirmed=True
            )
        if factor == "sms":
            PhoneNumber.objects.create(user=user, number=DEMO_PHONE, verified_at=timezone.now())
        return user

    @staticmethod
    def grant(user, organisation, profile_code, users) -> Grant:
        profile = AccessProfile.objects.get(application=organisation.application, code=profile_code)
        return Grant.objects.create(
            user=user,
            application=organisation.application,
            organisation=organisation,
            ern=organisation.ern,
            profile=profile,
            approved_by=users["anna.novak@demo.cpms.eu"],
            expires_at=timezone.now() + GUEST_GRANT_LIFETIME if organisation.is_guest else None,
        )

    @staticmethod
    def pending_request(user, organisation, profile_code) -> AccessRequest:
        return AccessRequest.objects.create(
            requester=user,
            application=organisation.application,
            organisation=organisation,
            ern=organisation.ern,
            profile=AccessProfile.objects.get(application=organisation.application, code=profile_code),
            comment="Neurologist in a movement disorders clinic; I would like to present cases to the panel.",
        )

    def print_sign_ins(self):
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"Demo sign-ins — password for everyone: {DEMO_PASSWORD}"))
        for email, _first, _last, _language, factor, role in DEMO_PEOPLE:
            how = {"totp": "password + authenticator app", "sms": "password + SMS", None: "password"}[factor]
            w(f"  {email:<28} {role}; {how}")
        w("")
        w(f"  Authenticator app: add the key {DEMO_TOTP_SECRET} to any app, or print the current code with")
        w("      uv run python manage.py demo_code helena.weber@demo.cpms.eu")
        w(f"  SMS ({DEMO_PHONE}) and e-mails: read them in the outbox at /outbox/")
        w("  Or create your own account; its e-mails arrive in the outbox too.")
        w("")
