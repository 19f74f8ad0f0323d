"""CPMS front door: a clinician's profile and their thematic areas of interest in each ERN."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpms.access.models import OrganisationNode

ERN_ONLY = {"kind": OrganisationNode.Kind.ERN}


class ThematicArea(models.Model):
    """A group of diseases around which an ERN organises its experts ("Frontotemporal dementia")."""

    ern = models.ForeignKey(
        OrganisationNode,
        on_delete=models.CASCADE,
        limit_choices_to=ERN_ONLY,
        related_name="thematic_areas",
        verbose_name=_("ERN"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["ern__code", "name"]
        constraints = [models.UniqueConstraint(fields=["ern", "code"], name="clinical_area_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the current language (reference data, msgids in cpms/clinical/data_strings.py)."""
        return gettext(self.name)


class ClinicianProfile(models.Model):
    """What CPMS asks on first use; `completed_at` is set once the user has answered."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician_profile"
    )
    job_title = models.CharField(_("job title"), max_length=120)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.job_title} ({self.user_id})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class ErnPreference(models.Model):
    """The thematic areas a user follows in one ERN."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ern_preferences"
    )
    ern = models.ForeignKey(
        OrganisationNode, on_delete=models.CASCADE, limit_choices_to=ERN_ONLY, related_name="+"
    )
    thematic_areas = models.ManyToManyField(ThematicArea, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ern"], name="clinical_one_preference_per_ern")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.ern_id}"
