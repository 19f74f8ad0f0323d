"""Images: DICOM studies of a patient, de-identified on intake, grouped as DICOM defines them
(study → series → instance), the uploads that bring them in, and the annotations drawn on them.

Nothing here holds an identifying field: the stored files went through cpms/imaging/deidentify.py
(PS3.15 Basic Profile, private tags removed, dates shifted per patient, UIDs replaced by keyed
pseudonyms) before anything was written. The one exception is the before/after preview of the
uploader, kept encrypted and only until the study is confirmed. Rows are read through a scope
(`Study.objects.filter()` raises `UnscopedQuery`): see queries.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cpms.access.models import OrganisationNode
from cpms.lib.crypto import EncryptedTextField
from cpms.panels.models import Panel
from cpms.patients.models import Patient
from cpms.patients.scoping import ScopedManager


class StudyManager(ScopedManager):
    def of_patients(self, patient_ids) -> models.QuerySet:
        """The studies of these patients (ids the caller has scoped: the user's centres)."""
        return self.unscoped().filter(patient_id__in=list(patient_ids))

    def shared_with_panels(self, panel_ids) -> models.QuerySet:
        """The confirmed studies shared with these panels (ids the caller has scoped: memberships)."""
        return self.unscoped().filter(panels__in=list(panel_ids), status=Study.Status.READY).distinct()


class Study(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", pgettext_lazy("study", "Being de-identified")
        REVIEW = "review", pgettext_lazy("study", "Waiting for your check")
        READY = "ready", pgettext_lazy("study", "Ready")
        FAILED = "failed", pgettext_lazy("study", "Failed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="studies")
    centre = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    upload = models.ForeignKey(
        "Upload", on_delete=models.SET_NULL, null=True, blank=True, related_name="studies"
    )
    # The keyed pseudonym of the original StudyInstanceUID: every file of the study lands here.
    study_uid = models.CharField(max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    modalities = models.CharField(_("modalities"), max_length=64, blank=True)  # "MR" or "CT,SR"
    study_date = models.DateField(_("study date (shifted)"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    # Some series may carry burned-in text: the uploader confirms (or masks) before sharing.
    burned_in_risk = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    panels = models.ManyToManyField(Panel, blank=True, related_name="studies")
    series_count = models.PositiveIntegerField(default=0)
    instance_count = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = StudyManager()

    class Meta:
        ordering = ("-created_at", "pk")
        verbose_name_plural = "studies"
        indexes = [models.Index(fields=("patient", "status"), name="imaging_study_patient")]

    def __str__(self) -> str:
        return f"{self.description or self.study_uid} ({self.modalities})"


class Series(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="series")
    series_uid = models.CharField(max_length=64, unique=True)
    number = models.IntegerField(null=True, blank=True)
    modality = models.CharField(max_length=16, blank=True)
    description = models.CharField(max_length=200, blank=True)
    instance_count = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(null=True, blank=True)
    columns = models.PositiveIntegerField(null=True, blank=True)
    # Why this series may show burned-in text ("burned-in-annotation", "ultrasound", "secondary-capture").
    burned_in_reasons = models.JSONField(default=list, blank=True)
    # Regions blanked in the pixel data by the uploader: [{"x":…, "y":…, "width":…, "height":…}].
    masked_regions = models.JSONField(default=list, blank=True)
    # A masking on a store that replaces the files one by one (Orthanc) started and has not finished:
    # some images may be masked and others not. Committed before that pass, cleared by a masking that
    # finishes; the study cannot be shared meanwhile (actions.do_mask_series, do_confirm_study).
    masking_unfinished = models.BooleanField(default=False)
    # The before/after tags of one file of the series, for the uploader's check. `preview_before`
    # holds identifying values: encrypted, and emptied once the study is confirmed.
    preview_before = EncryptedTextField(blank=True, default="")
    preview_after = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("study", "number", "pk")
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.modality} {self.description}".strip()


class Instance(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="instances")
    sop_uid = models.CharField(max_length=64, unique=True)
    sop_class_uid = models.CharField(max_length=64, blank=True)
    instance_number = models.IntegerField(null=True, blank=True)
    # Where the slice sits along the stack (Image Position Patient · normal): the scroll order.
    slice_position = models.FloatField(null=True, blank=True)
    # The key of the de-identified file in the image store (cpms/imaging/stores.py).
    stored_name = models.CharField(max_length=300)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("series", "slice_position", "instance_number", "pk")
        indexes = [models.Index(fields=("series", "instance_number"), name="imaging_instance_order")]

    def __str__(self) -> str:
        return self.sop_uid


class Upload(models.Model):
    """One intake: the files a user sends for a patient (from the case, or from a panel)."""

    class Status(models.TextChoices):
        RECEIVING = "receiving", pgettext_lazy("upload", "Receiving files")
        PROCESSING = "processing", pgettext_lazy("upload", "De-identifying")
        DONE = "done", pgettext_lazy("upload", "Done")
        FAILED = "failed", pgettext_lazy("upload", "Failed")
        # Left untouched for settings.IMAGING_ABANDONED_AFTER_HOURS: what it held was deleted (abandoned.py).
        ABANDONED = "abandoned", pgettext_lazy("upload", "Abandoned")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVING)
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    files_refused = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last time the uploader did something with it (files announced, a chunk, finished, a
    # region masked): the sweep of abandoned uploads (abandoned.py) goes by it.
    touched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=("patient", "created_at"), name="imaging_upload_patient"),
            models.Index(fields=("status", "touched_at"), name="imaging_upload_touched"),
        ]

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.status})"


class UploadFile(models.Model):
    """One file of an upload, received in chunks (resumable: the browser asks where to go on)."""

    class Status(models.TextChoices):
        RECEIVING = "receiving", pgettext_lazy("upload file", "Receiving")
        RECEIVED = "received", pgettext_lazy("upload file", "Received")
        ACCEPTED = "accepted", pgettext_lazy("upload file", "Accepted")
        REFUSED = "refused", pgettext_lazy("upload file", "Refused")

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="files")
    # The browser's key for the file (path, size, last modified) as a keyed hash (blind_index: the
    # path may name the patient, "Doe_John/IMG001.dcm"): the same file resumes, not restarts.
    client_key = models.CharField(max_length=300)
    # The path as the browser (or the ZIP) gives it, for the uploader's page: it may name the
    # patient, so it is kept encrypted, like a patient's Document.name.
    name = EncryptedTextField(_("file name"))
    size_bytes = models.PositiveBigIntegerField()
    received_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVING)
    refusal = models.CharField(max_length=300, blank=True)
    # The raw bytes wait encrypted in the private intake folder until de-identified, then are deleted.
    temp_name = models.CharField(max_length=300, blank=True)
    # A ZIP, unpacked at processing into one row per entry (its leaves are what the page lists).
    is_archive = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("upload", "client_key"), name="imaging_one_file_per_key")
        ]

    def __str__(self) -> str:
        return self.name


class Annotation(models.Model):
    """A measurement or an arrow drawn on one image, shared with the panel's members."""

    class Tool(models.TextChoices):
        LENGTH = "length", _("Length")
        ANGLE = "angle", _("Angle")
        ARROW = "arrow", _("Arrow with text")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="annotations")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="annotations")
    sop_uid = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tool = models.CharField(max_length=10, choices=Tool.choices)
    # The tool's handles in image coordinates, as the viewer draws them back.
    data = models.JSONField(default=dict)
    text = models.CharField(_("text"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("study", "created_at", "pk")
        indexes = [models.Index(fields=("study", "deleted_at"), name="imaging_annotation_study")]

    def __str__(self) -> str:
        return f"{self.tool} by {self.author_id}"
