"""`manage.py research_sweep`: bring the research store in line with the consents in force."""

from django.core.management.base import BaseCommand

from cpms.research.sweep import run_sweep


class Command(BaseCommand):
    help = "Anonymise consented cases into the research store; remove those whose consent is gone."

    def handle(self, *args, **options):
        result = run_sweep()
        self.stdout.write(
            f"Research store: {result.added} added, {result.updated} updated, "
            f"{result.removed} removed, {result.unchanged} unchanged."
        )
