"""Reports: the KPIs are computed from the data on every request (kpis.py) and never stored; the only
row here is a request for an activity report file, made in the background (tasks.py)."""

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
