"""Suggested experts (and similar past panels) for one panel against every expert of an ERN.

Migrates an empty SQLite database in a temporary folder, builds ERN-RND with 20 centres, BENCH_EXPERTS
experts (300 by default) who each follow one to three of its thematic areas, and BENCH_PAST past panels
(600) on patients whose cases carry 5 to 10 HPO terms of an ORPHA disease of the loaded release; each
past panel has 2 to 4 of the experts as contributors, so that every expert has a case profile. Then
times, in-process, `suggest_experts(panel)` and `similar_panels(panel)` for one open panel: the first
call of the process (hpo3's ontology already loaded, the experts' term sets not yet cached) and the
median and p95 of BENCH_RUNS calls after it. Prints the queries of one call.

    uv run python bench/bench_expert_suggestions.py
    BENCH_EXPERTS=1000 BENCH_PAST=3000 uv run python bench/bench_expert_suggestions.py
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from support import p95

ROOT = Path(__file__).resolve().parent.parent
EXPERTS = int(os.environ.get("BENCH_EXPERTS", "300"))
PAST = int(os.environ.get("BENCH_PAST", "600"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
CENTRES = 20
SEED = 20261202
COLUMNS = (("first ms", 10), ("median ms", 11), ("p95 ms", 9), ("CPU ms", 8), ("queries", 9), ("found", 7))
AREAS = ("ataxia-hsp", "dystonia-nbia", "chorea-hd", "ftd", "leukoencephalopathies", "atypical-parkinsonism")


def configure(folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CPMS_EMBEDDED"] = "1"
    os.environ["CPMS_VAR_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def build(rng: random.Random):
    from django.core.management import call_command

    from cpms.access.tests.factories import make_grant, make_tree
    from cpms.clinical.models import ErnPreference, ThematicArea
    from cpms.coding.models import Concept, System
    from cpms.coding.similarity import disease_profiles
    from cpms.panels.models import Contribution, Membership, PanelStatus
    from cpms.panels.tests.factories import make_panel
    from cpms.patients.models import Case, CasePhenotype
    from cpms.patients.tests.factories import make_patient
    from cpms.test import make_user

    call_command("migrate", verbosity=0)
    tree = make_tree(institutions=[(f"DE{n:02d}", f"Hospital {n}") for n in range(1, CENTRES + 1)])
    centres = list(tree.institutions.values())
    areas = [
        ThematicArea.objects.create(ern=tree.ern, code=code, name=code)
        for code in (
            "ataxia-hsp",
            "dystonia-nbia",
            "chorea-hd",
            "ftd",
            "leukoencephalopathies",
            "atypical-parkinsonism",
        )
    ]
    experts = []
    for n in range(EXPERTS):
        user = make_user(f"nbench{n:04d}", f"expert{n}@example.org", "Expert", f"Number{n}")
        make_grant(user, rng.choice(centres))
        preference = ErnPreference.objects.create(user=user, ern=tree.ern)
        preference.thematic_areas.add(*rng.sample(areas, rng.randint(1, 3)))
        experts.append(user)
    profiles = [p for p in disease_profiles().values() if len(p.terms) >= 10]
    concepts = {}

    def concept(code):
        if code not in concepts:
            concepts[code] = Concept.objects.get_or_create(
                system=System.HPO, code=code, defaults={"label": code}
            )[0]
        return concepts[code]

    def patient_with_case(centre):
        patient = make_patient(centre, enrolled_by=experts[0])
        case = Case(patient=patient)
        case.save()
        terms = rng.sample(sorted(rng.choice(profiles).terms), rng.randint(5, 10))
        CasePhenotype.objects.unscoped().bulk_create(
            CasePhenotype(case=case, concept=concept(t)) for t in terms
        )
        return patient

    for n in range(PAST):
        lead = rng.choice(experts)
        panel = make_panel(patient_with_case(rng.choice(centres)), lead, status=PanelStatus.CLOSED)
        for author in rng.sample(experts, rng.randint(2, 4)):
            if author != lead:
                Membership.objects.create(panel=panel, user=author, status="accepted", invited_by=lead)
            Contribution.objects.create(panel=panel, author=author, text="An opinion.")
        if n % 100 == 99:
            print(f"  {n + 1} past panels", flush=True)
    return make_panel(patient_with_case(centres[0]), experts[0])


def timed(function, panel) -> tuple[float, list[float], list[float], int, int]:
    """First call (ms), then wall and CPU ms of RUNS calls (CPU tells a busy machine from slow code)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = time.perf_counter()
    found = function(panel)
    first = (time.perf_counter() - start) * 1000
    runs, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        function(panel)
        runs.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        function(panel)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(function, panel)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(12)
    return first, runs, cpu, len(queries), len(found)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cpms-bench-suggest-") as folder:
        configure(folder)
        from cpms.coding.ontology import ontology
        from cpms.coding.similarity import disease_profiles
        from cpms.panels.queries.suggestions import similar_panels, suggest_experts

        ontology()
        disease_profiles()
        rng = random.Random(SEED)
        print(f"Building ERN-RND: {EXPERTS} experts, {PAST} past panels …", flush=True)
        panel = build(rng)
        print("\n" + f"{'what':<24}" + "".join(f"{name:>{width}}" for name, width in COLUMNS))
        for name, function in (
            ("suggested experts", suggest_experts),
            ("similar past panels", similar_panels),
        ):
            first, runs, cpu, queries, found = timed(function, panel)
            values = (first, statistics.median(runs), p95(runs), statistics.median(cpu))
            widths = [width for _, width in COLUMNS]
            timings = "".join(f"{value:>{width}.1f}" for value, width in zip(values, widths, strict=False))
            print(f"{name:<24}{timings}{queries:>9}{found:>7}")


if __name__ == "__main__":
    main()
