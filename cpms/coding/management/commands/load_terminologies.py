"""`manage.py load_terminologies`: HPO, ORPHA, ICD-10 and genes into the tables; run it again at will."""

import time

from django.core.management.base import BaseCommand

from cpms.coding.importer import import_terminologies
from cpms.coding.sources import read_all


class Command(BaseCommand):
    help = "Import HPO (terms, synonyms, hierarchy, annotations), ORPHA, WHO ICD-10 and genes; idempotent."

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = import_terminologies(read_all())
        summary = ", ".join(f"{system}: {count}" for system, count in counts.items())
        self.stdout.write(f"Terminologies loaded ({summary}) in {time.perf_counter() - started:.1f} s.")
