"""The pages that check access, at demo size and with 100,000 access requests and 100,000 grants.

Runs twice, side by side: on SQLite (a temporary file) and on a throw-away PostgreSQL started
here like scripts/test.sh does (initdb in a temporary folder, a loopback port, removed at the
end; skipped with a note when no PostgreSQL binaries are installed). Each run migrates an empty
database, loads a demo-size desk (24 ERNs, 600 requests and 600 grants: a full first page of each
list, so that both sizes render the same number of rows), times the pages, then
bulk-loads 100,000 requests and 100,000 grants (a third of them in the coordinator's ERN, the
worst case a coordinator sees) and times them again.

Timed in-process with Django's test client through the whole middleware stack (session, user,
session lifetime, audit context), RUNS GETs each after a warm-up: the coordinator's dashboard,
the validation queue (first page, and the hundredth by keyset), Manage access, and, as the
yardstick, a bare signed-in view (login_required, returns "ok") and the same behind the CPMS gate;
both are bench-only views, not in the product's URLs. Prints the median and p95 in ms, the
ratio of the median to the bare signed-in view, and the queries of one GET.

    uv run python bench/bench_access_volume.py            # both databases
    uv run python bench/bench_access_volume.py --sqlite   # SQLite only
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from support import postgresql_bindir, throwaway_postgresql

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))  # BENCH_ROWS=2000 for a quick try
USERS = max(ROWS // 5, 10)
ERNS = 24
INSTITUTIONS_PER_ERN = 20
COORDINATOR_SHARE = 0.33
PAGE_SIZE = 25
DEMO_ROWS = 600  # enough for a full first page of each list, as at 100,000
PAGES = ("bare signed-in", "bare CPMS-gated", "dashboard", "queue page 1", "queue page 100", "grants page")


# -- in the child: one database ------------------------------------------------------------------


def configure(folder: str, database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CPMS_EMBEDDED"] = "1"
    os.environ["CPMS_VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def bench_urls():
    """A URL module with the product's URLs and two bench-only yardsticks."""
    import types

    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import include, path

    from cpms.clinical.decorators import cpms_user_required

    @login_required
    def bare(request):
        return HttpResponse("ok")

    @cpms_user_required
    def gated(request):
        return HttpResponse("ok")

    module = types.ModuleType("bench_access_urls")
    module.urlpatterns = [
        path("bench/bare/", bare),
        path("bench/gated/", gated),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


def demo_desk():
    """24 ERNs of 20 institutions; Helena coordinates ERN-RND (and has been through first use)."""
    from cpms.access.tests.factories import make_coordinator, make_institutions, make_tree
    from cpms.clinical.models import ClinicianProfile
    from cpms.identity.models import User

    trees = []
    for number in range(ERNS):
        code = "ERN-RND" if number == 0 else f"ERN-{number:02d}"
        tree = make_tree(ern_code=code, ern_name=f"Network {number}", institutions=())
        tree.institutions = make_institutions(tree.country, INSTITUTIONS_PER_ERN, prefix=f"E{number:02d}")
        trees.append(tree)
    helena = User.objects.create_user("nhelena1", "helena@example.org", None, first_name="Helena")
    make_coordinator(helena, trees[0].institutions[0])
    ClinicianProfile.objects.create(user=helena, job_title="Neurologist", completed_at=_now())
    return trees, helena


def _now():
    from django.utils import timezone

    return timezone.now()


def load_rows(trees, requests: int, grants: int, users: int, seed: int) -> None:
    """Requests and grants by `users` new people, bulk-inserted; a third in the coordinator's ERN."""
    from cpms.access.models import AccessProfile, AccessRequest, Grant
    from cpms.identity.models import User

    rng = random.Random(seed)
    application = trees[0].application
    profiles = {p.code: p for p in AccessProfile.objects.filter(application=application)}
    first = User.objects.count()
    User.objects.bulk_create(
        [
            User(
                username=f"b{seed}{n:06d}",
                email=f"b{seed}.{n}@example.org",
                first_name="Person",
                last_name=f"N{n}",
            )
            for n in range(users)
        ],
        batch_size=2000,
    )
    people = list(User.objects.order_by("pk").values_list("pk", flat=True)[first:])
    now = _now()

    def place():
        tree = trees[0] if rng.random() < COORDINATOR_SHARE else rng.choice(trees[1:])
        return rng.choice(tree.institutions)

    statuses = ["pending"] * 2 + ["approved"] * 6 + ["rejected", "withdrawn"]
    rows, taken = [], set()
    while len(rows) < requests:
        person, organisation, profile = rng.choice(people), place(), rng.choice(("hp", "researcher"))
        status = rng.choice(statuses)
        if status == "pending":
            if (person, organisation.pk, profile) in taken:
                continue
            taken.add((person, organisation.pk, profile))
        rows.append(
            AccessRequest(
                requester_id=person,
                application=application,
                organisation=organisation,
                ern_id=organisation.ern_id,
                profile=profiles[profile],
                status=status,
                created_at=now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
            )
        )
    AccessRequest.objects.bulk_create(rows, batch_size=2000)
    rows = []
    for _ in range(grants):
        organisation = place()
        created_at = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        rows.append(
            Grant(
                user_id=rng.choice(people),
                application=application,
                organisation=organisation,
                ern_id=organisation.ern_id,
                profile=profiles[rng.choice(("hp", "hp", "researcher"))],
                created_at=created_at,
                revoked_at=created_at + timedelta(days=30) if rng.random() < 0.1 else None,
            )
        )
    Grant.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_get(client, url: str, params: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url, params)
    timings, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[int(0.95 * (len(timings) - 1))],
        "cpu": statistics.median(cpu),
        "queries": len(queries),
    }


def measure(client, helena) -> dict:
    from django.urls import reverse

    from cpms.access.queries.pages import cursor_of
    from cpms.access.queries.scopes import access_of
    from cpms.access.queries.validation import list_requests_for_validator

    queue = list_requests_for_validator(access_of(helena), status="pending")
    page_100 = {}
    if (before := queue[99 * PAGE_SIZE - 1 : 99 * PAGE_SIZE]) and len(before):
        page_100 = {"after": cursor_of(before[0])}
    queue_url = reverse("access:validation-queue")
    scenarios = {
        "bare signed-in": ("/bench/bare/", {}),
        "bare CPMS-gated": ("/bench/gated/", {}),
        "dashboard": (reverse("clinical:dashboard"), {}),
        "queue page 1": (queue_url, {}),
        "queue page 100": (queue_url, page_100) if page_100 else None,
        "grants page": (reverse("access:grants-manage"), {}),
    }
    return {name: time_get(client, *scenario) for name, scenario in scenarios.items() if scenario}


def child(database_url: str) -> None:
    folder = tempfile.mkdtemp(prefix="cpms-bench-")
    try:
        configure(folder, database_url)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import override_settings, setup_test_environment

        from cpms.access.models import AccessRequest, Grant
        from cpms.test import sign_in

        setup_test_environment()
        override_settings(ROOT_URLCONF=bench_urls()).enable()
        call_command("migrate", verbosity=0)
        trees, helena = demo_desk()
        load_rows(trees, requests=DEMO_ROWS, grants=DEMO_ROWS, users=DEMO_ROWS // 5, seed=1)
        client = sign_in(Client(), helena)
        results = {"engine": connection.vendor, "demo": measure(client, helena)}
        started = time.perf_counter()
        load_rows(trees, requests=ROWS, grants=ROWS, users=USERS, seed=2)
        results["load_seconds"] = time.perf_counter() - started
        results["rows"] = {"requests": AccessRequest.objects.count(), "grants": Grant.objects.count()}
        pending = AccessRequest.objects.filter(ern=trees[0].ern, status="pending").count()
        results["coordinator_pending"] = pending
        results["big"] = measure(client, helena)
        print("RESULT " + json.dumps(results))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- in the parent: start PostgreSQL, run a child per database, print side by side ---------------


def run_child(database_url: str) -> dict:
    process = subprocess.run(
        [sys.executable, __file__, "--child", database_url], capture_output=True, text=True, cwd=ROOT
    )
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    sys.stderr.write(process.stdout + process.stderr)
    raise SystemExit(f"the bench on {database_url.split(':')[0]} failed")


def report(runs: list[dict]) -> None:
    print(f"Pages that check access, {RUNS} GETs each in-process: median and p95 wall time (ms), median")
    print("CPU time of this process (ms: Python and, on SQLite, the database; steadier on a busy machine),")
    print("×bare: median over the bare signed-in view's at the same size (wall, then CPU); q: queries.")
    for run in runs:
        print(
            f"\n{run['engine']}: {run['rows']['requests']:,} requests, {run['rows']['grants']:,} grants "
            f"(loaded in {run['load_seconds']:.0f} s); {run['coordinator_pending']:,} pending in the "
            "coordinator's ERN"
        )
        print(f"{'':<18}{'demo size':^26}  {'100,000 rows':^42}")
        columns = f"{'wall':>8}{'cpu':>7}{'×bare':>7}{'q':>4}"
        print(f"{'page':<18}{columns}  {'wall':>8}{'p95':>8}{'cpu':>7}{'×bare':>7}{'×cpu':>6}{'q':>4}")
        demo_bare, big_bare = run["demo"]["bare signed-in"], run["big"]["bare signed-in"]
        for name in PAGES:
            demo, big = run["demo"].get(name), run["big"].get(name)
            left = f"{'–':>26}"
            if demo:
                left = (
                    f"{demo['median']:>8.2f}{demo['cpu']:>7.2f}{demo['median'] / demo_bare['median']:>7.2f}"
                )
                left += f"{demo['queries']:>4}"
            right = f"{'–':>40}"
            if big:
                right = f"{big['median']:>8.2f}{big['p95']:>8.2f}{big['cpu']:>7.2f}"
                right += f"{big['median'] / big_bare['median']:>7.2f}{big['cpu'] / big_bare['cpu']:>6.2f}"
                right += f"{big['queries']:>4}"
            print(f"{name:<18}{left}  {right}")


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
