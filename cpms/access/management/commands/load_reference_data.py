from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpms.access.reference_data import ReferenceDataError, default_data_dir, load


class Command(BaseCommand):
    help = (
        "Load the applications, access profiles, ERNs, countries and healthcare providers of the "
        "access-request desk from CSV files. Idempotent; never deletes anything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help=f"folder holding applications.csv, profiles.csv, erns.csv, countries.csv and hcps.csv "
            f"(default: {default_data_dir()})",
        )

    def handle(self, *args, data_dir: Path | None = None, **options):
        try:
            summary = load(data_dir)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
