"""The KPI page of an ERN with 100,000 panels, next to a bare signed-in page in the same run.

Builds, in a throw-away database (SQLite in a temporary folder by default; a throw-away PostgreSQL
with BENCH_POSTGRESQL=1, bench/support.py), ERN-RND with 20 centres and 6 thematic areas, its
coordinator (Helena), BENCH_USERS members who signed in over the last two years, BENCH_PATIENTS
patients with a case and an ORPHA code (40 codes), BENCH_PANELS panels spread over the last 24
months (a tenth urgent; most opened, closed and with a signed outcome, a few past their wished
date) and BENCH_CONTRIBUTIONS contributions, all with bulk_create.

Timed in-process with Django's test client through the whole middleware stack, BENCH_RUNS GETs
each after a warm-up: a bare signed-in view (login_required, returns "ok", bench-only) as the
yardstick, and the KPI page (the last twelve months, every centre and area): with every figure
computed from the panels of the period (kpis.compute_kpis_from_scratch, the page before the
roll-up), before the roll-up is stored (every month computed from the panels by rollup.py), and
after `roll_up_kpis --rebuild` (the current month from the panels, the others from the roll-up).
Prints median and p95 (ms), the median CPU time of the process per GET (other processes sharing the
machine do not count in it), the ratio of each median to the bare view's, and the queries of one GET.

    uv run python bench/bench_reports.py
    BENCH_PANELS=10000 uv run python bench/bench_reports.py         # a quick try
    BENCH_POSTGRESQL=1 uv run python bench/bench_reports.py         # on PostgreSQL
    BENCH_SLOWEST=5 …                                 # and the 5 costliest queries of each page, timed alone
"""

import contextlib
import datetime
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

from support import bench_urls, configure, p95, throwaway_postgresql

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
PANELS = int(os.environ.get("BENCH_PANELS", "100000"))
PATIENTS = int(os.environ.get("BENCH_PATIENTS", str(max(PANELS // 4, 100))))
CONTRIBUTIONS = int(os.environ.get("BENCH_CONTRIBUTIONS", str(PANELS * 2)))
USERS = int(os.environ.get("BENCH_USERS", "1000"))
POSTGRESQL = os.environ.get("BENCH_POSTGRESQL") == "1"
SLOWEST = int(os.environ.get("BENCH_SLOWEST", "0"))  # print the N slowest queries of each page
PROFILE = int(os.environ.get("BENCH_PROFILE", "0"))  # print the N costliest functions of one GET
PROFILE_ORDER = os.environ.get("BENCH_PROFILE_ORDER", "cumulative")  # or tottime
CENTRES = 20
ORPHA_CODES = 40
BATCH = 5000


def build():
    """The ERN, its people, patients, panels and contributions; the coordinator."""
    from django.utils import timezone

    from cpms.access.models import Grant
    from cpms.access.tests.factories import make_grant, make_institutions, make_tree, profile
    from cpms.clinical.models import ClinicianProfile, ThematicArea
    from cpms.coding.models import Concept
    from cpms.identity.models import User, UserSession
    from cpms.panels.models import Contribution, Panel
    from cpms.patients.models import Case, CaseDiagnosis, Patient

    rng = random.Random(14)
    now = timezone.now()
    tree = make_tree(institutions=(("DE22", "University Hospital Tubingen"),))
    centres = [tree.hcp, *make_institutions(tree.country, CENTRES - 1, prefix="DX")]
    helena = User.objects.create_user("nhelena1", "helena@example.org", None, first_name="Helena")
    make_grant(helena, tree.hcp)
    make_grant(helena, tree.hcp, profile_code="coordinator")
    ClinicianProfile.objects.create(user=helena, job_title="Neurologist", completed_at=now)
    areas = ThematicArea.objects.bulk_create(
        ThematicArea(ern_id=tree.ern.pk, code=f"area-{n}", name=f"Area {n}") for n in range(6)
    )
    members = User.objects.bulk_create(
        User(username=f"nmem{n:05d}", email=f"m{n}@example.org", first_name="Member", last_name=str(n))
        for n in range(USERS)
    )
    hp = profile(tree.application, "hp")
    Grant.objects.bulk_create(
        Grant(
            user=user,
            application=tree.application,
            organisation=centres[n % CENTRES],
            ern=tree.ern,
            profile=hp,
        )
        for n, user in enumerate(members)
    )
    UserSession.objects.bulk_create(
        UserSession(
            user=user,
            session_key=f"bench{n:06d}",
            started_at=now - datetime.timedelta(days=rng.randrange(730)),
        )
        for n, user in enumerate(members)
    )
    concepts = Concept.objects.bulk_create(
        Concept(system="orpha", code=f"ORPHA:{1000 + n}", label=f"Rare disease {n}")
        for n in range(ORPHA_CODES)
    )
    Patient.objects.unscoped().bulk_create(
        (
            Patient(
                pseudonym=f"CPMS-B{n:09d}",
                centre=centres[n % CENTRES],
                ern=tree.ern,
                sex_at_birth="female",
                enrolled_at=now - datetime.timedelta(days=rng.randrange(900)),
            )
            for n in range(PATIENTS)
        ),
        batch_size=BATCH,
    )
    patient_ids = list(Patient.objects.unscoped().values_list("pk", flat=True))
    Case.objects.unscoped().bulk_create((Case(patient_id=pk) for pk in patient_ids), batch_size=BATCH)
    CaseDiagnosis.objects.unscoped().bulk_create(
        (
            CaseDiagnosis(case_id=case_id, concept=concepts[case_id % ORPHA_CODES], certainty="confirmed")
            for case_id in Case.objects.unscoped().values_list("pk", flat=True)
        ),
        batch_size=BATCH,
    )

    def panel(n: int) -> Panel:
        submitted = now - datetime.timedelta(days=rng.random() * 730)
        accepted = submitted + datetime.timedelta(days=rng.random() * 5)
        signed = accepted + datetime.timedelta(days=rng.random() * 40)
        closed = signed + datetime.timedelta(days=rng.random() * 3)
        done = closed < now
        patient_id = patient_ids[n % len(patient_ids)]
        return Panel(
            patient_id=patient_id,
            ern=tree.ern,
            thematic_area=areas[n % len(areas)],
            centre_id=centres[n % CENTRES].pk,
            requester_id=members[n % USERS].pk,
            lead_id=members[(n + 1) % USERS].pk,
            urgency="urgent" if n % 10 == 0 else "routine",
            wished_answer_date=(submitted + datetime.timedelta(days=30)).date(),
            status="closed" if done else "open",
            created_at=submitted,
            submitted_at=submitted,
            accepted_at=accepted,
            outcome_signed_at=signed if done else None,
            closed_at=closed if done else None,
            updated_at=submitted,
        )

    Panel.objects.unscoped().bulk_create((panel(n) for n in range(PANELS)), batch_size=BATCH)
    panels = list(Panel.objects.unscoped().values_list("pk", "submitted_at"))
    Contribution.objects.bulk_create(
        (
            Contribution(
                panel_id=panels[n % len(panels)][0],
                author_id=members[rng.randrange(USERS)].pk,
                text="An opinion.",
                created_at=panels[n % len(panels)][1] + datetime.timedelta(days=2),
            )
            for n in range(CONTRIBUTIONS)
        ),
        batch_size=BATCH,
    )
    return helena


def time_get(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200
    timings, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)  # now: the next request empties the connection's log
    if PROFILE:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(PROFILE_ORDER).print_stats(PROFILE)
    if SLOWEST:
        print_slowest(client, url)
    return {
        "median": statistics.median(timings),
        "p95": p95(timings),
        "cpu": statistics.median(cpu),
        "queries": count,
    }


def print_slowest(client, url: str) -> None:
    """The SLOWEST costliest queries of one GET, each run again on its own five times with every row
    fetched (SQLite does most of a query's work while its rows are fetched, which the time Django
    records around `execute` leaves out): the median wall and CPU ms of each, then its SQL."""
    from django.db import connection

    recorded = []

    def record(execute, sql, params, many, context):
        recorded.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(url)
    timed = []
    with connection.cursor() as cursor:
        for sql, params, many in recorded:
            if many or not sql.lstrip().upper().startswith("SELECT"):
                continue
            walls, cpus = [], []
            for _ in range(5):
                start, start_cpu = time.perf_counter(), time.process_time()
                cursor.execute(sql, params)
                cursor.fetchall()
                walls.append((time.perf_counter() - start) * 1000)
                cpus.append((time.process_time() - start_cpu) * 1000)
            timed.append((statistics.median(walls), statistics.median(cpus), sql))
    total = sum(wall for wall, _cpu, _sql in timed)
    print(f"  {len(timed)} SELECTs of one GET, {total:.1f} ms in all when run alone; the costliest:")
    for wall, cpu, sql in sorted(timed, key=lambda item: -item[0])[:SLOWEST]:
        print(f"  {wall:8.2f} ms ({cpu:7.2f} CPU)  {' '.join(sql.split())[:200]}")


def main() -> None:
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-reports-")
    try:
        with throwaway_postgresql() if POSTGRESQL else contextlib.nullcontext("") as database_url:
            configure(folder, database_url)
            from django.core.management import call_command
            from django.db import connection
            from django.test import Client
            from django.test.utils import override_settings
            from django.urls import reverse

            from cpms.panels.models import Contribution, Panel
            from cpms.reports import views
            from cpms.reports.kpis import compute_kpis_from_scratch
            from cpms.test import sign_in

            override_settings(ROOT_URLCONF=bench_urls("bench_reports"), ALLOWED_HOSTS=["*"]).enable()
            call_command("migrate", verbosity=0)
            load_started = time.perf_counter()
            helena = build()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if POSTGRESQL else "ANALYZE")
            seconds = time.perf_counter() - load_started
            client = sign_in(Client(), helena)
            url = reverse("reports:report-list")
            results = {"bare signed-in page": time_get(client, "/bench/bare/")}
            # The previous page: every figure from the panels of the period (kpis.py from scratch).
            with mock.patch.object(views, "compute_kpis", compute_kpis_from_scratch):
                results["KPI page, from scratch"] = time_get(client, url)
            results["KPI page, no roll-up yet"] = time_get(client, url)  # every month from the panels
            roll_started = time.perf_counter()
            call_command("roll_up_kpis", "--rebuild", verbosity=0)
            rolled_in = time.perf_counter() - roll_started
            results["KPI page, rolled up"] = time_get(client, url)  # the current month from the panels
            engine = "PostgreSQL" if POSTGRESQL else "SQLite"
            print(
                f"{engine}: {Panel.objects.unscoped().count():,} panels, {Contribution.objects.count():,} "
                f"contributions, {PATIENTS:,} patients, {USERS:,} members, built in {seconds:.0f} s. "
                f"roll-up rebuilt in {rolled_in:.1f} s. {RUNS} runs each, in-process:"
            )
            bare = results["bare signed-in page"]["median"]
            print(f"{'page':<28}{'median ms':>10}{'p95 ms':>9}{'CPU ms':>9}{'×bare':>8}{'queries':>9}")
            for name, result in results.items():
                print(
                    f"{name:<28}{result['median']:>10.2f}{result['p95']:>9.2f}{result['cpu']:>9.2f}"
                    f"{result['median'] / bare:>8.1f}{result['queries']:>9}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"(done in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
