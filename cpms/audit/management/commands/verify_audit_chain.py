from django.core.management.base import BaseCommand, CommandError

from cpms.audit.models import AuditEvent
from cpms.audit.record import first_broken_link


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options):
        broken = first_broken_link()
        if broken is not None and broken.pk is None:
            raise CommandError("Audit chain broken at its end: the last events were removed.")
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at event {broken.pk} ({broken.action}, {broken.created_at}): "
                "it, or an event before it, was changed or removed."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {AuditEvent.objects.count()} events."))
