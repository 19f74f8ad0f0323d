"""The research store: anonymised cases of consented patients, and researchers' saved queries.

What is here is what a researcher may count: no pseudonym, no centre (the country of the centre
only, or "other" when few cases share it), no free text, no date finer than a year, ages in bands.
The way back to the patient, needed by the sweep alone to update or remove a case, is a keyed hash
(HMAC with a key outside the database) in `ResearchLink`, which no researcher's query reads.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OTHER_COUNTRY = "ZZ"  # ISO 3166 user-assigned: a country with fewer than k cases in the ERN


class AgeBand(models.TextChoices):
    """Age at entry into the ERN (year of enrolment minus year of birth), in the bands of the ERN
    registries' reports: children, young adults, adults, older adults."""

    CHILD = "0-17", _("0–17 years")
    YOUNG_ADULT = "18-39", _("18–39 years")
    ADULT = "40-64", _("40–64 years")
    OLDER = "65+", _("65 years and over")
    UNKNOWN = "unknown", _("Unknown")


def new_research_id() -> str:
    """A random identifier, unrelated to the ERN pseudonym or any other key."""
    return f"R{secrets.token_hex(8).upper()}"


class ResearchCase(models.Model):
    research_id = models.CharField(max_length=17, unique=True, default=new_research_id)
    ern = models.ForeignKey("access.OrganisationNode", on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2)  # of the centre; OTHER_COUNTRY when rare
    sex = models.CharField(max_length=12)  # cpms.patients Sex values
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    birth_decade = models.PositiveSmallIntegerField(null=True, blank=True)  # 1980; None when rare or unknown
    entry_year = models.PositiveSmallIntegerField()  # the year the patient was enrolled in the ERN
    onset = models.CharField(max_length=10, blank=True)  # HPO onset term

    class Meta:
        indexes = [
            # Every filter and cross-tabulation starts from the ERN; the dimensions after it let a
            # count or a GROUP BY read the index alone.
            models.Index(
                fields=["ern", "sex", "age_band", "country", "entry_year", "birth_decade", "onset"],
                name="research_case_dimensions",
            ),
            models.Index(fields=["ern", "entry_year"], name="research_case_year"),
            # A country, and the cross-tabulation country × year: read in the index's order, no sort.
            models.Index(fields=["ern", "country", "entry_year"], name="research_case_country"),
        ]

    def __str__(self) -> str:
        return self.research_id


class ResearchDiagnosis(models.Model):
    case = models.ForeignKey(ResearchCase, on_delete=models.CASCADE, related_name="diagnoses")
    concept = models.ForeignKey("coding.Concept", on_delete=models.PROTECT, related_name="+")  # ORPHA, ICD-10
    certainty = models.CharField(max_length=10)  # confirmed or suspected (excluded ones do not enter)

    class Meta:
        indexes = [models.Index(fields=["concept", "case"], name="research_diagnosis_concept")]

    def __str__(self) -> str:
        return f"{self.concept_id} ({self.certainty})"


class ResearchPhenotype(models.Model):
    case = models.ForeignKey(ResearchCase, on_delete=models.CASCADE, related_name="phenotypes")
    concept = models.ForeignKey("coding.Concept", on_delete=models.PROTECT, related_name="+")  # HPO
    excluded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["concept", "excluded", "case"], name="research_phenotype_concept")]

    def __str__(self) -> str:
        return f"{self.concept_id}{' (excluded)' if self.excluded else ''}"


class ResearchPhenotypeTerm(models.Model):
    """A term the case has, itself or through a more specific one: every is_a ancestor of each of
    its (not excluded) phenotypes, the term itself included, written by the sweep. "With its
    descendants" is then a range of one index, not a walk of the HPO tree on each query. The case's
    ERN is written beside it (the sweep keeps it the case's), so that the count of an ERN's cases
    with a term is a range of the `research_term_of_ern` index alone, with no join to the cases."""

    case = models.ForeignKey(ResearchCase, on_delete=models.CASCADE, related_name="phenotype_terms")
    concept = models.ForeignKey("coding.Concept", on_delete=models.PROTECT, related_name="+")  # HPO
    ern = models.ForeignKey("access.OrganisationNode", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concept", "case"], name="research_phenotype_term_unique")
        ]
        indexes = [models.Index(fields=["ern", "concept", "case"], name="research_term_of_ern")]

    def __str__(self) -> str:
        return f"{self.case_id} has {self.concept_id}"


class ResearchGene(models.Model):
    case = models.ForeignKey(ResearchCase, on_delete=models.CASCADE, related_name="genes")
    symbol = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["symbol", "case"], name="research_gene_symbol")]

    def __str__(self) -> str:
        return self.symbol


class ResearchLink(models.Model):
    """The sweep's way back: HMAC(patient id) with RESEARCH_LINK_KEY, and what it last wrote.

    Never read by a researcher's query; without the key, the hash leads nowhere.
    """

    case = models.OneToOneField(ResearchCase, on_delete=models.CASCADE, related_name="+")
    patient_key = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64)  # of the anonymised content: unchanged cases are skipped

    def __str__(self) -> str:
        return f"Link of {self.case_id}"


class SavedQuery(models.Model):
    """A researcher's query, kept under a name to run again (its parameters, never its result)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ern = models.ForeignKey("access.OrganisationNode", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    parameters = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="research_saved_by_user")]

    def __str__(self) -> str:
        return self.name
