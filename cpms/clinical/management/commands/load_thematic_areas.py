from django.core.management.base import BaseCommand, CommandError

from cpms.clinical.reference_data import DEFAULT_FILE, ReferenceDataError, load_thematic_areas


class Command(BaseCommand):
    help = "Load the ERNs' thematic areas (run after load_reference_data). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="CSV file with columns ern,code,name")

    def handle(self, *args, file, **options):
        try:
            result = load_thematic_areas(file)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Thematic areas: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
