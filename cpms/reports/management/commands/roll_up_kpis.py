"""Store the KPI roll-up of every ERN (cpms/reports/rollup.py): the months over that are missing or
were touched since, or, with --rebuild, every month from scratch."""

from django.core.management.base import BaseCommand, CommandError

from cpms.access.models import OrganisationNode

from ...rollup import roll_up


class Command(BaseCommand):
    help = "Store the KPI roll-up of the ERNs' months (every one from scratch with --rebuild)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recompute every month from the panels.")
        parser.add_argument("--ern", help="Only this ERN (its code).")

    def handle(self, *args, rebuild=False, ern=None, verbosity=1, **options):
        erns = OrganisationNode.objects.filter(kind=OrganisationNode.Kind.ERN).order_by("code")
        if ern:
            erns = erns.filter(code=ern)
            if not erns.exists():
                raise CommandError(f"No ERN with the code {ern!r}.")
        for node in erns:
            stored = roll_up(node.pk, rebuild=rebuild)
            if verbosity:
                self.stdout.write(f"{node.code}: {stored} month(s) stored")
