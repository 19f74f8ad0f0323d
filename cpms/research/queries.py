"""Reads of the research store, with the permission check built in.

Who may: a user holding the Researcher profile in force in the ERN (`researcher_ern_ids`); anyone
else gets 404, whether the ERN exists or not — administrators included: research data is reached
through a Researcher grant, which they can ask for like anyone. Each run and export of a query is
audited with its parameters (`research.query.run`, `research.query.exported`). A result is counts
only, suppressed by cpms/research/suppression.py; nothing here reads ResearchLink.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cpms.access.models import OrganisationNode
from cpms.access.queries.grants import RESEARCHER
from cpms.access.queries.scopes import Access
from cpms.audit.record import record
from cpms.coding.models import Concept, System
from cpms.identity.forms import COUNTRIES
from cpms.patients.models.case import Onset
from cpms.patients.models.patient import Sex

from .forms import DIMENSIONS
from .models import (
    OTHER_COUNTRY,
    AgeBand,
    ResearchCase,
    ResearchDiagnosis,
    ResearchGene,
    ResearchPhenotypeTerm,
    SavedQuery,
)
from .suppression import Suppressed, suppress, suppress_count

QUERY_RUN = "research.query.run"
QUERY_EXPORTED = "research.query.exported"


def researcher_ern_ids(access: Access) -> list[int]:
    return access.ern_ids(profiles=(RESEARCHER,))


def get_ern_for_researcher(access: Access, ern_id: int) -> OrganisationNode:
    """The ERN, if the user is a researcher in force there; 404 otherwise (missing or not theirs)."""
    if ern_id not in researcher_ern_ids(access):
        raise Http404
    ern = OrganisationNode.objects.filter(pk=ern_id, kind=OrganisationNode.Kind.ERN).first()
    if ern is None:
        raise Http404
    return ern


def list_researcher_erns(access: Access) -> list[OrganisationNode]:
    return list(OrganisationNode.objects.filter(pk__in=researcher_ern_ids(access)).order_by("code"))


def list_saved_queries(user, ern_ids: list[int]) -> list[SavedQuery]:
    """The user's own saved queries, in ERNs where they are still a researcher, newest first."""
    if not ern_ids:
        return []
    return list(
        SavedQuery.objects.filter(user=user, ern_id__in=ern_ids)
        .select_related("ern")
        .order_by("-created_at")[:100]
    )


def get_saved_query_for_user(user, access: Access, saved_id: int) -> SavedQuery:
    saved = SavedQuery.objects.filter(pk=saved_id, user=user, ern_id__in=researcher_ern_ids(access)).first()
    if saved is None:
        raise Http404
    return saved


# -- the query


def descendant_ids(concept: Concept):
    """The ids of the diagnosis and of every diagnosis under it, as a subquery (no list in Python).

    ICD-10: a category and its subcategories (G40 → G40.0 … G40.9), by the code. ORPHA: the concept
    alone (the loaded release has no ORPHA classification). HPO terms have their descendants through
    ResearchPhenotypeTerm, written by the sweep.
    """
    if concept.system == System.ICD10:
        return Concept.objects.filter(
            Q(code=concept.code) | Q(code__startswith=concept.code + "."), system=System.ICD10
        ).values("pk")
    return [concept.pk]


def filtered_cases(ern: OrganisationNode, data: dict) -> QuerySet[ResearchCase]:
    """The research cases of the ERN that match the form's cleaned data."""
    cases = ResearchCase.objects.filter(ern=ern)
    if concept := data.get("diagnosis"):
        cases = cases.filter(
            pk__in=ResearchDiagnosis.objects.filter(concept_id__in=descendant_ids(concept)).values("case_id")
        )
    if concept := data.get("phenotype"):
        # The term or any more specific one: the sweep wrote each case's terms with their ancestors.
        cases = cases.filter(
            pk__in=ResearchPhenotypeTerm.objects.filter(ern_id=ern.pk, concept_id=concept.pk).values(
                "case_id"
            )
        )
    if symbol := data.get("gene"):
        cases = cases.filter(pk__in=ResearchGene.objects.filter(symbol=symbol).values("case_id"))
    for name, field in (("sex", "sex"), ("age_band", "age_band"), ("country", "country")):
        if value := data.get(name):
            cases = cases.filter(**{field: value})
    if year := data.get("year_from"):
        cases = cases.filter(entry_year__gte=year)
    if year := data.get("year_to"):
        cases = cases.filter(entry_year__lte=year)
    return cases


OTHER_FILTERS = ("diagnosis", "gene", "sex", "age_band", "country", "year_from", "year_to")


def count_of(ern: OrganisationNode, data: dict, cases: QuerySet[ResearchCase]) -> int:
    """How many cases match. An HPO term (with its descendants) and nothing else: the ERN's rows of
    that term, each a case once (unique term and case), counted from the `research_term_of_ern`
    index alone, without reading the cases."""
    if data.get("phenotype") and not any(data.get(name) for name in OTHER_FILTERS):
        return ResearchPhenotypeTerm.objects.filter(ern_id=ern.pk, concept_id=data["phenotype"].pk).count()
    return cases.count()


def label_of(dimension: str, value) -> str:
    if dimension == "sex":
        return str(Sex(value).label) if value in Sex.values else str(value)
    if dimension == "age_band":
        return str(AgeBand(value).label) if value in AgeBand.values else str(value)
    if dimension == "country":
        if value == OTHER_COUNTRY:
            return str(_("Other countries"))
        return str(COUNTRIES.get(value, value))
    if dimension == "birth_decade":
        return str(_("Not shown")) if value is None else f"{value}s"
    if dimension == "onset":
        return str(Onset(value).label) if value in Onset.values else str(_("Not recorded"))
    return str(value)


@dataclass(frozen=True)
class Result:
    """What a researcher sees: one count, or a table (one or two dimensions), suppressed."""

    threshold: int
    count: int | None = None  # a query without breakdown
    rows: str = ""
    columns: str = ""
    row_labels: tuple[str, ...] = ()
    column_labels: tuple[str, ...] = ()
    table: Suppressed | None = None

    @property
    def row_title(self) -> str:
        return str(DIMENSIONS[self.rows][0]) if self.rows else ""

    @property
    def column_title(self) -> str:
        return str(DIMENSIONS[self.columns][0]) if self.columns else ""

    @property
    def is_empty(self) -> bool:
        return self.table is None and self.count == 0 or self.table is not None and not self.table.cells

    def row_items(self):
        """(label, cells, total) per row, for the template."""
        return zip(self.row_labels, self.table.cells, self.table.row_totals, strict=True)


def _sort_key(value):
    return (value is None, value if value is not None else 0)


def compute_result(ern: OrganisationNode, data: dict) -> Result:
    """Run the query (one database query) and suppress what must not be shown. COUNT(*), not
    COUNT(id): the id is in none of the `research_case_*` indexes on PostgreSQL (an index entry points
    to its row), so counting it reads each case from the table instead of the index alone."""
    threshold = settings.RESEARCH_SUPPRESSION_THRESHOLD
    cases = filtered_cases(ern, data)
    rows, columns = data.get("rows") or "", data.get("columns") or ""
    if not rows:
        return Result(threshold=threshold, count=suppress_count(count_of(ern, data, cases), threshold))
    row_field = DIMENSIONS[rows][1]
    if not columns:
        counts = {
            (item[row_field], None): item["n"]
            for item in cases.order_by().values(row_field).annotate(n=Count("*"))
        }
        column_values = [None]
    else:
        column_field = DIMENSIONS[columns][1]
        counts = {
            (item[row_field], item[column_field]): item["n"]
            for item in cases.order_by().values(row_field, column_field).annotate(n=Count("*"))
        }
        column_values = sorted({column for _, column in counts}, key=_sort_key)
    row_values = sorted({row for row, _ in counts}, key=_sort_key)
    table = [[counts.get((row, column), 0) for column in column_values] for row in row_values]
    return Result(
        threshold=threshold,
        rows=rows,
        columns=columns,
        row_labels=tuple(label_of(rows, value) for value in row_values),
        column_labels=tuple(label_of(columns, value) for value in column_values) if columns else (),
        table=suppress(table, threshold),
    )


def run_research_query(
    *, user, ern: OrganisationNode, data: dict, parameters: dict, exported=False
) -> Result:
    """The result of the query, audited with its parameters (a run, or an export)."""
    result = compute_result(ern, data)
    record(user, QUERY_EXPORTED if exported else QUERY_RUN, ern, {"parameters": parameters})
    return result
