"""Reports: a request for an activity report file, made in the background (tasks.py), and the KPI
roll-up: counts per ERN and month derived from the panels by rollup.py (never typed in), so that the
KPI page reads a few hundred rows instead of every panel of the period."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cpms.access.models import OrganisationNode
from cpms.clinical.models import ThematicArea


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"
    XLSX = "xlsx", pgettext_lazy("file format", "Excel (XLSX)")


class ReportRun(models.Model):
    """One activity report of an ERN for a period, asked for by one person and downloaded by them only."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("report", "Waiting")
        RUNNING = "running", pgettext_lazy("report", "Being made")
        DONE = "done", pgettext_lazy("report", "Ready")
        FAILED = "failed", pgettext_lazy("report", "Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ern = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, related_name="+")
    # The KPI page's filters when it was asked for: the period (1st of its months), a centre, an area.
    first_month = models.DateField()
    last_month = models.DateField()
    centre = models.ForeignKey(
        OrganisationNode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    thematic_area = models.ForeignKey(
        ThematicArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0–100
    storage_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="reports_runs_of_user")]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.format}) of {self.ern_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def file_name(self) -> str:
        return f"cpms-activity-{self.first_month:%Y-%m}-{self.last_month:%Y-%m}.{self.format}"


# -- the KPI roll-up (cpms/reports/rollup.py): counts derived from the panels, one row per ERN, month
# (in the site's time zone), requesting centre, thematic area and urgency, and the like for the
# contributions and the times to outcome. Never typed in: written only by rollup.py from the panels,
# month by month, and checked against a computation from scratch in the tests.


class RolledMonth(models.Model):
    """A month of an ERN whose figures are in the roll-up, and when they were computed (a month
    without one is computed from the panels on each request)."""

    ern = models.ForeignKey(OrganisationNode, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the 1st
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ern", "month"], name="reports_rolled_month_unique")]

    def __str__(self) -> str:
        return f"{self.ern_id} {self.month:%Y-%m}"


class PanelMonth(models.Model):
    """The ERN's panels past their draft counted by the month of each clock field."""

    ern = models.ForeignKey(OrganisationNode, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    centre = models.ForeignKey(OrganisationNode, on_delete=models.CASCADE, related_name="+")
    thematic_area = models.ForeignKey(
        ThematicArea, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    urgency = models.CharField(max_length=10)
    requested = models.PositiveIntegerField(default=0)  # submitted_at in the month
    opened = models.PositiveIntegerField(default=0)  # accepted_at
    closed = models.PositiveIntegerField(default=0)  # closed_at
    closed_with_two = models.PositiveIntegerField(default=0)  # closed, with two opinions or more
    outcomes = models.PositiveIntegerField(default=0)  # outcome_signed_at
    answered_late = models.PositiveIntegerField(default=0)  # signed after the wished date

    class Meta:
        indexes = [models.Index(fields=["ern", "month"], name="reports_panel_month")]

    def __str__(self) -> str:
        return f"{self.ern_id} {self.month:%Y-%m} {self.centre_id}/{self.thematic_area_id}/{self.urgency}"


class OutcomeDays(models.Model):
    """How many outcomes signed in the month took so many days from the request (rounded to a tenth,
    as the page shows them): the median and 90th percentile are picked from these counts."""

    ern = models.ForeignKey(OrganisationNode, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    urgency = models.CharField(max_length=10)
    days = models.FloatField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["ern", "month"], name="reports_outcome_days"),
            # The page's sum per urgency and number of days over the period's months: read from this
            # index alone, in the order of the GROUP BY (no sort, no row read from the table).
            models.Index(fields=["ern", "urgency", "days", "month", "n"], name="reports_outcome_days_sum"),
        ]

    def __str__(self) -> str:
        return f"{self.ern_id} {self.month:%Y-%m} {self.urgency} {self.days}: {self.n}"


class ContributionMonth(models.Model):
    """Opinions written in the month on the ERN's panels, per author."""

    ern = models.ForeignKey(OrganisationNode, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["ern", "month"], name="reports_contribution_month"),
            # The page's sum per author over the period's months, from this index alone, in its order.
            models.Index(fields=["ern", "author", "month", "n"], name="reports_contribution_sum"),
        ]

    def __str__(self) -> str:
        return f"{self.ern_id} {self.month:%Y-%m} {self.author_id}: {self.n}"
