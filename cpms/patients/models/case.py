"""The case of a patient (the consultation form), in the sections of the ERDRI common data set.

The choices follow the ERDRI common data elements and RD-CDM (the `rd-cdm` package is the checklist):
onset as HPO's onset terms, diagnoses in ORPHA and ICD-10 with their certainty, phenotypic features
in HPO, observed or excluded, variants in HGVS with zygosity and ACMG class. No identifying field is
kept here: the whole case may travel (panels, exports) under the pseudonym.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..scoping import ScopedManager
from .patient import Document, Patient


class Onset(models.TextChoices):
    """HPO's onset terms (HP:0003674 and its children), as Phenopackets and FHIR carry them."""

    ANTENATAL = "HP:0030674", _("Antenatal onset")
    CONGENITAL = "HP:0003577", _("Congenital onset")
    NEONATAL = "HP:0003623", _("Neonatal onset")
    INFANTILE = "HP:0003593", _("Infantile onset")
    CHILDHOOD = "HP:0011463", _("Childhood onset")
    JUVENILE = "HP:0003621", _("Juvenile onset")
    ADULT = "HP:0003581", _("Adult onset")


class Certainty(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    SUSPECTED = "suspected", _("Suspected")
    EXCLUDED = "excluded", _("Excluded")


class Zygosity(models.TextChoices):
    """GENO's allelic states, as Phenopackets codes them."""

    HETEROZYGOUS = "GENO:0000135", _("Heterozygous")
    HOMOZYGOUS = "GENO:0000136", _("Homozygous")
    HEMIZYGOUS = "GENO:0000134", _("Hemizygous")
    COMPOUND_HETEROZYGOUS = "GENO:0000402", _("Compound heterozygous")
    UNKNOWN = "GENO:0000137", _("Unspecified zygosity")


class AcmgClass(models.TextChoices):
    """ACMG/AMP 2015 classes (Phenopackets' AcmgPathogenicityClassification)."""

    PATHOGENIC = "PATHOGENIC", _("Pathogenic")
    LIKELY_PATHOGENIC = "LIKELY_PATHOGENIC", _("Likely pathogenic")
    UNCERTAIN = "UNCERTAIN_SIGNIFICANCE", _("Uncertain significance")
    LIKELY_BENIGN = "LIKELY_BENIGN", _("Likely benign")
    BENIGN = "BENIGN", _("Benign")


class Case(models.Model):
    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="case")

    # -- status and onset (ERDRI: age at onset, age at diagnosis, first contact with the centre)
    onset = models.CharField(_("onset"), max_length=10, choices=Onset.choices, blank=True)
    age_at_onset_years = models.PositiveSmallIntegerField(_("age at onset (years)"), null=True, blank=True)
    age_at_diagnosis_years = models.PositiveSmallIntegerField(
        _("age at diagnosis (years)"), null=True, blank=True
    )
    first_contact_year = models.PositiveSmallIntegerField(
        _("year of first contact with the centre"), null=True, blank=True
    )
    # -- clinical history, investigations, treatment: free text
    clinical_history = models.TextField(_("clinical history"), blank=True, max_length=20000)
    family_history = models.TextField(_("family history"), blank=True, max_length=20000)
    investigations = models.TextField(_("investigations"), blank=True, max_length=20000)
    treatment = models.TextField(_("treatment"), blank=True, max_length=20000)
    # -- diagnosis: the codes are CaseDiagnosis rows; or none yet
    undiagnosed = models.BooleanField(_("undiagnosed"), default=False)

    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"Case of {self.patient_id}"


class CaseDiagnosis(models.Model):
    """An ORPHA or ICD-10 code of the case, with its certainty."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="diagnoses")
    concept = models.ForeignKey("coding.Concept", on_delete=models.PROTECT, related_name="+")
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices)
    is_main = models.BooleanField(_("main diagnosis"), default=False)

    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "concept"], name="patients_diagnosis_once")]

    def __str__(self) -> str:
        return f"{self.concept_id} ({self.certainty})"


class CasePhenotype(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phenotypes")
    concept = models.ForeignKey("coding.Concept", on_delete=models.PROTECT, related_name="+")  # HPO
    excluded = models.BooleanField(_("excluded"), default=False)  # looked for and absent
    onset = models.CharField(_("onset"), max_length=10, choices=Onset.choices, blank=True)

    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "concept"], name="patients_phenotype_once")]

    def __str__(self) -> str:
        return f"{self.concept_id}{' (excluded)' if self.excluded else ''}"


class CaseVariant(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="variants")
    gene_symbol = models.CharField(_("gene"), max_length=40)
    hgvs = models.CharField(_("variant (HGVS)"), max_length=500)
    zygosity = models.CharField(_("zygosity"), max_length=12, choices=Zygosity.choices, blank=True)
    acmg_class = models.CharField(_("ACMG class"), max_length=22, choices=AcmgClass.choices, blank=True)

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"{self.gene_symbol} {self.hgvs}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="+")
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"Attachment #{self.pk}"


class CaseDraft(models.Model):
    """What a user typed in one section of a case and has not saved yet (the form's autosave).

    The raw form data, unvalidated: it is shown back to the same user only, restored into the
    section's form when they reopen it, and deleted when the section is saved.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="case_drafts")
    section = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)  # {"field name": ["value", …]}, as the browser posted it
    saved_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "section", "user"], name="patients_case_draft_once")
        ]

    def __str__(self) -> str:
        return f"Draft of {self.section} for {self.patient_id}"
