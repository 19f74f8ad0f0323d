"""A meeting starting now, to try the room on `make run` (README: "Try a meeting on make run")."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cpms.identity.models import User
from cpms.panels.models import Membership, Panel

from ...models import AgendaItem, Invitation, Meeting

JONAS = "jonas.braun@demo.cpms.eu"
PANEL_TITLE = "Dravet syndrome: treatment after failure of two drugs"


class Command(BaseCommand):
    help = (
        "Schedule a demo meeting starting now on Jonas's Dravet panel, its members invited (embedded only)."
    )

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError("The demo meeting is only for the embedded default (no DATABASE_URL).")
        jonas = User.objects.filter(email__iexact=JONAS).first()
        panel = Panel.objects.requested_by(jonas).filter(title=PANEL_TITLE).first() if jonas else None
        if panel is None:
            raise CommandError("Load the demo data first: make run (load_demo_data, load_demo_panels).")
        with transaction.atomic():
            meeting = Meeting.objects.unscoped().create(
                organiser=jonas,
                ern_id=panel.ern_id,
                title="Demo board: Dravet syndrome",
                starts_at=timezone.now() + datetime.timedelta(minutes=5),
                time_zone=jonas.time_zone or settings.TIME_ZONE,
                duration_minutes=30,
            )
            AgendaItem.objects.create(meeting=meeting, panel=panel, position=0, duration_minutes=20)
            AgendaItem.objects.create(
                meeting=meeting, position=1, title="Any other business", duration_minutes=10
            )
            members = Membership.objects.filter(panel=panel, status=Membership.Status.ACCEPTED).exclude(
                user=jonas
            )
            for membership in members.select_related("user"):
                Invitation.objects.create(
                    meeting=meeting, user=membership.user, via_panel=panel, added_by=jonas
                )
        invited = ", ".join(str(m.user) for m in members)
        room = settings.SITE_URL + reverse("meetings:meeting-room", args=[meeting.pk])
        self.stdout.write(f"{meeting.reference} organised by {jonas}, invited: {invited}\nRoom: {room}")
