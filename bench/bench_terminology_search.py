"""The terminology search (coding.queries.search_concepts) over every loaded term, SQLite and PostgreSQL.

Each run migrates an empty database (SQLite in a temporary file; a throw-away PostgreSQL started as
scripts/test.sh does, skipped with a note when no binaries are installed), times `load_terminologies`
three times (the first import, a re-run that finds
the same files loaded and skips, a forced re-import), then runs 1,000 realistic queries built from the
loaded data with a fixed seed: exact codes (with and without prefix, any case), code prefixes, label
prefixes, later words, synonyms, two-word phrases, typos and accents added or left out; in the systems
the case form asks for (HPO, diagnosis = ORPHA + ICD-10, ORPHA, ICD-10). Each query is timed once after
a warm-up pass, limit 10 as in the combobox. Prints p50/p95/max in ms, overall and by kind of query.

    uv run python bench/bench_terminology_search.py            # both databases
    uv run python bench/bench_terminology_search.py --sqlite   # SQLite only
"""

import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import p95, postgresql_bindir, throwaway_postgresql

ROOT = Path(__file__).resolve().parent.parent
QUERIES = 1000
TARGET_P95_MS = 20
SHARES = {  # kind of query → how many of the 1,000
    "code": 140,
    "code prefix": 50,
    "label prefix": 250,
    "word": 180,
    "synonym": 140,
    "phrase": 60,
    "typo": 110,
    "accents": 70,
}
SYSTEMS = [("hpo", 0.5), ("diagnosis", 0.3), ("orpha", 0.1), ("icd10", 0.1)]


def configure(folder: str, database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CPMS_EMBEDDED"] = "1"
    os.environ["CPMS_VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def typed(rng: random.Random, text: str) -> str:
    """A prefix of 3 to 9 characters, as someone types before looking at the list."""
    return text[: rng.randint(3, 9)]


def typo(rng: random.Random, text: str) -> str:
    word = typed(rng, text).ljust(4, "e")
    position = rng.randrange(1, len(word))
    return word[:position] + rng.choice("aeiourstn") + word[position + 1 :]


ACCENTED = str.maketrans({"e": "é", "a": "à", "o": "ö", "u": "ü", "i": "ï", "c": "ç"})


def build_queries(rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, query, system) × 1,000."""
    from cpms.coding.models import Concept, Synonym

    concepts = {
        s: list(Concept.objects.filter(system=s, is_obsolete=False).values_list("code", "label"))
        for s in ("hpo", "orpha", "icd10")
    }
    synonyms = list(Synonym.objects.values_list("label", flat=True))
    accented_labels = [
        label
        for s in ("orpha", "hpo")
        for _, label in concepts[s]
        if label != label.encode("ascii", "ignore").decode()
    ]

    def system() -> str:
        return rng.choices([s for s, _ in SYSTEMS], [w for _, w in SYSTEMS])[0]

    def concept(system_name: str) -> tuple[str, str]:
        pool = {"diagnosis": concepts["orpha"] + concepts["icd10"]}.get(system_name) or concepts[system_name]
        return rng.choice(pool)

    queries = []
    for kind, count in SHARES.items():
        for _ in range(count):
            name = system()
            code, label = concept(name)
            words = label.split()
            if kind == "code":
                query = rng.choice([code, code.lower(), code.split(":")[-1]])
            elif kind == "code prefix":
                query = code[: max(2, len(code) - rng.randint(1, 3))]
            elif kind == "label prefix":
                query = typed(rng, label)
            elif kind == "word":
                query = typed(rng, rng.choice(words[1:] or words))
            elif kind == "synonym":
                name, query = "hpo", typed(rng, rng.choice(synonyms))
            elif kind == "phrase":
                query = " ".join(words[:2])[: rng.randint(6, 20)]
            elif kind == "typo":
                query = typo(rng, label)
            else:  # accents: an accented name typed without its accents, or a plain one typed with some
                if rng.random() < 0.5:
                    query = typed(rng, rng.choice(accented_labels).encode("ascii", "ignore").decode())
                    name = "diagnosis"
                else:
                    query = typed(rng, label).translate(ACCENTED)
            queries.append((kind, query, name))
    rng.shuffle(queries)
    return queries


def child(database_url: str) -> None:
    folder = tempfile.mkdtemp(prefix="cpms-bench-")
    try:
        configure(folder, database_url)
        from django.core.management import call_command
        from django.db import connection

        from cpms.coding.models import Concept, SearchTerm
        from cpms.coding.queries import SEARCH_SYSTEMS, search_concepts

        call_command("migrate", verbosity=0)
        loads = []
        for arguments in ([], [], ["--force"]):  # the first import, a re-run (skipped), a forced re-import
            started = time.perf_counter()
            call_command("load_terminologies", *arguments, stdout=io.StringIO())
            loads.append(time.perf_counter() - started)
        queries = build_queries(random.Random(10))
        for _, query, system in queries:  # warm-up: the database's cache, Python's imports
            search_concepts(query, systems=SEARCH_SYSTEMS[system], limit=10)
        timings, empty = {}, 0
        for kind, query, system in queries:
            started = time.perf_counter()
            found = search_concepts(query, systems=SEARCH_SYSTEMS[system], limit=10)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            empty += not found
        results = {
            "engine": connection.vendor,
            "concepts": Concept.objects.count(),
            "search_rows": SearchTerm.objects.count(),
            "loads": loads,
            "timings": timings,
            "empty": empty,
            "samples": [q for _, q, _ in queries[:12]],
        }
        print("RESULT " + json.dumps(results))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_child(database_url: str) -> dict:
    process = subprocess.run(
        [sys.executable, __file__, "--child", database_url], capture_output=True, text=True, cwd=ROOT
    )
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    sys.stderr.write(process.stdout + process.stderr)
    raise SystemExit(f"the bench on {database_url.split(':')[0]} failed")


def line(name: str, values: list[float]) -> str:
    return (
        f"{name:<14}{len(values):>6}{statistics.median(values):>9.2f}{p95(values):>9.2f}{max(values):>9.2f}"
    )


def report(runs: list[dict]) -> None:
    print(
        f"Terminology search: {QUERIES} queries, limit 10, in-process; ms (target p95 ≤ {TARGET_P95_MS} ms)"
    )
    for run in runs:
        first, again, forced = run["loads"]
        print(
            f"\n{run['engine']}: {run['concepts']:,} concepts, {run['search_rows']:,} index rows; "
            f"load_terminologies {first:.1f} s, again {again:.1f} s (skipped), --force {forced:.1f} s; "
            f"{run['empty']} queries found nothing"
        )
        print(f"{'queries':<14}{'n':>6}{'p50':>9}{'p95':>9}{'max':>9}")
        everything = [t for values in run["timings"].values() for t in values]
        print(line("all", everything))
        for kind, values in run["timings"].items():
            print(line(kind, values))
        verdict = "meets" if p95(everything) <= TARGET_P95_MS else "MISSES"
        print(f"p95 {p95(everything):.2f} ms {verdict} the target.")
    print("\nSome of the queries:", ", ".join(repr(q) for q in runs[0]["samples"]))


def main() -> None:
    if "--child" in sys.argv:
        return child(sys.argv[sys.argv.index("--child") + 1])
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-sqlite-")
    try:
        runs = [run_child(f"sqlite:///{folder}/bench.sqlite3")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if "--sqlite" not in sys.argv:
        if postgresql_bindir() is None:
            print("(no PostgreSQL server binaries under /usr/lib/postgresql: SQLite only)")
        else:
            with throwaway_postgresql() as url:
                runs.append(run_child(url))
    report(runs)
    print(f"\n(done in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
