"""Research counts and cross-tabulations over 1,000,000 anonymised cases.

Builds ERN-RND with a signed-in researcher, a small terminology (60 ORPHA diseases, an HPO tree of
400 terms under HP:0000118, 30 ICD-10 codes), then BENCH_CASES research cases (default 1,000,000)
with one or two diagnoses, two phenotypes (and their terms with their ancestors, as the sweep
writes them) and most with a gene, written with executemany on SQLite (the default) or COPY on a
throw-away PostgreSQL (BENCH_DB=postgresql). Then, BENCH_RUNS GETs each through the whole
middleware stack after a warm-up: the bare signed-in page (login_required, "ok") as the
yardstick, the count of every case, a count filtered by ORPHA code and sex, a count by an HPO term
with its descendants (the ERN's rows of the term, which the sweep wrote, counted from one index) and
the same count the previous way (the cases that have one of those rows), and the cross-tabulation
page country × year. Prints median and p95 (ms), the median CPU time of the process per GET, the
ratio to the bare page, and the queries of one GET.

    uv run python bench/bench_research.py
    BENCH_DB=postgresql uv run python bench/bench_research.py
    BENCH_CASES=100000 uv run python bench/bench_research.py   # a quick try
"""

import os
import random
import shutil
import statistics
import tempfile
import time
from contextlib import nullcontext
from itertools import islice
from pathlib import Path
from unittest import mock

from support import bench_urls, configure, p95, throwaway_postgresql

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
CASES = int(os.environ.get("BENCH_CASES", "1000000"))
POSTGRESQL = os.environ.get("BENCH_DB") == "postgresql"
BATCH = 50_000
COUNTRIES = ["DE", "FR", "IT", "ES", "NL", "BE", "PL", "AT", "SE", "DK", "PT", "CZ", "HU", "IE", "FI", "ZZ"]
SEXES = ["female", "male", "female", "male", "undetermined", "unknown"]
BANDS = ["0-17", "18-39", "40-64", "65+", "unknown"]
ONSETS = ["", "HP:0003577", "HP:0003623", "HP:0003593", "HP:0011463", "HP:0003621", "HP:0003581"]


def insert(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        rows = iter(rows)
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(sql, batch)


def reset_sequence(table: str) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )


def world():
    from django.utils import timezone

    from cpms.access.tests.factories import make_grant, make_tree
    from cpms.clinical.models import ClinicianProfile
    from cpms.coding.models import Concept, Hierarchy
    from cpms.identity.models import User

    tree = make_tree(institutions=(("DE22", "University Hospital Tubingen"),))
    piet = User.objects.create_user("npiet001", "piet@example.org", None, first_name="Piet")
    make_grant(piet, tree.hcp, profile_code="researcher")
    ClinicianProfile.objects.create(user=piet, job_title="Epidemiologist", completed_at=timezone.now())
    orpha = Concept.objects.bulk_create(
        Concept(system="orpha", code=f"ORPHA:{1000 + n}", label=f"Disease {n}") for n in range(60)
    )
    icd = Concept.objects.bulk_create(
        Concept(system="icd10", code=f"G{40 + n // 10}.{n % 10}", label=f"ICD {n}") for n in range(30)
    )
    icd += Concept.objects.bulk_create(
        Concept(system="icd10", code=f"G{40 + n}", label=f"ICD {n}") for n in range(3)
    )
    hpo = Concept.objects.bulk_create(
        Concept(system="hpo", code=f"HP:{118 + n:07d}", label=f"Term {n}") for n in range(400)
    )
    # A tree: term n's parent is term (n - 1) // 4 (term 0 is HP:0000118).
    Hierarchy.objects.bulk_create(Hierarchy(child=hpo[n], parent=hpo[(n - 1) // 4]) for n in range(1, 400))
    return tree, piet, orpha, icd, hpo


def load(tree, orpha, icd, hpo) -> None:
    rng = random.Random(14)
    ern = tree.ern.pk
    cases = []
    for n in range(CASES):
        year = rng.randint(2012, 2026)
        cases.append(
            (
                n + 1,
                f"R{n:016X}",
                ern,
                rng.choice(COUNTRIES),
                rng.choice(SEXES),
                rng.choice(BANDS),
                rng.choice([None, *range(1930, 2030, 10)]),
                year,
                rng.choice(ONSETS),
            )
        )
    columns = [
        "id",
        "research_id",
        "ern_id",
        "country",
        "sex",
        "age_band",
        "birth_decade",
        "entry_year",
        "onset",
    ]
    insert("research_researchcase", columns, cases)
    del cases
    diseases = [c.pk for c in orpha] + [c.pk for c in icd]

    def diagnoses():
        for n in range(CASES):
            yield (n + 1, rng.choice(diseases), "confirmed")
            if n % 3 == 0:
                yield (n + 1, rng.choice(diseases), "suspected")

    insert("research_researchdiagnosis", ["case_id", "concept_id", "certainty"], diagnoses())
    terms = list(range(len(hpo)))  # positions in the tree: term n's parent is term (n - 1) // 4
    picked = [rng.sample(terms, 2) for _ in range(CASES)]

    def phenotypes():
        for n, (first, second) in enumerate(picked):
            yield (n + 1, hpo[first].pk, False)
            yield (n + 1, hpo[second].pk, n % 5 == 0)

    insert("research_researchphenotype", ["case_id", "concept_id", "excluded"], phenotypes())

    def ancestors(term: int) -> set[int]:
        found = {term}
        while term:
            term = (term - 1) // 4
            found.add(term)
        return found

    # What the sweep writes: each case's terms not excluded, with all their ancestors.
    above = [frozenset(hpo[a].pk for a in ancestors(term)) for term in terms]

    def phenotype_terms():
        for n, (first, second) in enumerate(picked):
            for concept_id in sorted(above[first] if n % 5 == 0 else above[first] | above[second]):
                yield (n + 1, concept_id, tree.ern.pk)

    insert("research_researchphenotypeterm", ["case_id", "concept_id", "ern_id"], phenotype_terms())
    genes = ["SCN1A", "FBN1", "CFTR", "NF1", "DMD", "ATXN3", "HTT", "SPAST", "PRNP", "GBA1"]
    insert(
        "research_researchgene",
        ["case_id", "symbol"],
        ((n + 1, rng.choice(genes)) for n in range(CASES) if n % 4),
    )
    for table in ("research_researchcase", "research_researchdiagnosis", "research_researchphenotype"):
        reset_sequence(table)


def time_get(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url)
    timings, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "median": statistics.median(timings),
        "p95": p95(timings),
        "cpu": statistics.median(cpu),
        "queries": len(queries),
    }


def main() -> None:
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-research-")
    try:
        with throwaway_postgresql() if POSTGRESQL else nullcontext(None) as database_url:
            configure(folder, database_url)
            from django.core.management import call_command
            from django.db import connection, transaction
            from django.test import Client
            from django.test.utils import override_settings

            from cpms.research import queries
            from cpms.test import sign_in

            override_settings(ROOT_URLCONF=bench_urls("bench_research"), ALLOWED_HOSTS=["*"]).enable()
            call_command("migrate", verbosity=0)
            tree, piet, orpha, icd, hpo = world()
            load_started = time.perf_counter()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA synchronous = OFF")  # a throw-away file: no fsync per batch
            with transaction.atomic():
                load(tree, orpha, icd, hpo)
            print(f"loaded in {time.perf_counter() - load_started:.0f} s", flush=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            seconds = time.perf_counter() - load_started
            client = sign_in(Client(), piet)
            query = f"/cpms/research/{tree.ern.pk}/?run=1"
            scenarios = {
                "bare signed-in page": "/bench/bare/",
                "empty CPMS page": "/bench/shell/",
                "query form (not run)": f"/cpms/research/{tree.ern.pk}/",
                "count, every case": query,
                "count, ORPHA + sex": f"{query}&diagnosis={orpha[7].code}&sex=female",
                "count, HPO + descendants": f"{query}&phenotype={hpo[1].code}",
                "count, gene + year range": f"{query}&gene=SCN1A&year_from=2018&year_to=2022",
                "cross-tab country × year": f"{query}&rows=country&columns=year",
                "cross-tab, ICD-10 G40 + sex×age": f"{query}&diagnosis=G40&rows=sex&columns=age_band",
            }
            results = {name: time_get(client, url) for name, url in scenarios.items()}
            # The same HPO count the previous way: the cases that have one of the term's rows.
            with mock.patch.object(queries, "count_of", lambda ern, data, cases: cases.count()):
                results["count, HPO, through the cases"] = time_get(
                    client, scenarios["count, HPO + descendants"]
                )
            print(
                f"{connection.vendor}: {CASES:,} research cases (with their diagnoses, phenotypes and genes)"
                f" built in {seconds:.0f} s. {RUNS} runs each, in-process:"
            )
            bare = results["bare signed-in page"]["median"]
            print(f"{'page':<34}{'median ms':>10}{'p95 ms':>9}{'CPU ms':>9}{'×bare':>8}{'queries':>9}")
            for name, result in results.items():
                print(
                    f"{name:<34}{result['median']:>10.2f}{result['p95']:>9.2f}{result['cpu']:>9.2f}"
                    f"{result['median'] / bare:>8.1f}{result['queries']:>9}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"(done in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
