"""Sweep the abandoned uploads now (the beat task does it hourly): see cpms/imaging/abandoned.py."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ...abandoned import sweep_abandoned_uploads


class Command(BaseCommand):
    help = (
        "Delete the raw bytes and unconfirmed studies of uploads untouched for IMAGING_ABANDONED_AFTER_HOURS."
    )

    def handle(self, *args, **options):
        swept = sweep_abandoned_uploads()
        self.stdout.write(
            f"Uploads untouched for {settings.IMAGING_ABANDONED_AFTER_HOURS} h: {swept.uploads} abandoned, "
            f"{swept.files} waiting files ({swept.raw_bytes} bytes) and {swept.studies} unconfirmed studies "
            f"({swept.instances} images) deleted, {swept.folders} intake folders left behind removed."
        )
