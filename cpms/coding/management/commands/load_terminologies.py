"""`manage.py load_terminologies`: HPO, ORPHA, ICD-10 and genes into the tables; run it again at will."""

import time

from django.core.management.base import BaseCommand

from cpms.coding.importer import import_terminologies, is_loaded
from cpms.coding.sources import fingerprint, read_all


class Command(BaseCommand):
    help = "Import HPO (terms, synonyms, hierarchy, annotations), ORPHA, WHO ICD-10 and genes; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Import even if these files are loaded.")

    def handle(self, *args, force=False, **options):
        started = time.perf_counter()
        if not force and is_loaded(fingerprint()):
            self.stdout.write("Terminologies already loaded from these files (--force to import again).")
            return
        counts = import_terminologies(read_all())
        summary = ", ".join(f"{system}: {count}" for system, count in counts.items())
        self.stdout.write(f"Terminologies loaded ({summary}) in {time.perf_counter() - started:.1f} s.")
