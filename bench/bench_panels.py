"""My panels and the requests queue at 100,000 panels and 1,000,000 contributions, on a throw-away PostgreSQL.

Starts PostgreSQL like scripts/test.sh (bench/support.py), migrates, builds ERN-RND with 20 centres,
BENCH_EXPERTS experts and a signed-in coordinator who is also an HP at DE22 (Helena), then loads with
COPY: BENCH_PATIENTS patients, BENCH_PANELS panels (all in ERN-RND: its queue is as long as it gets;
most closed or archived, some open, submitted, returned or drafts; a tenth urgent), a lead and four
members on every opened panel, BENCH_CONTRIBUTIONS contributions spread over the opened panels
(a few requests for more information), and an outcome version on every closed panel and on some
open ones. Helena is requester, lead, member or invited on a few hundred of them: her lists are
long, as a busy coordinator's are.

Timed in-process with Django's test client through the whole middleware stack, BENCH_RUNS GETs each
after a warm-up: a bare signed-in view (login_required, returns "ok", bench-only) as the yardstick,
an empty page of CPMS (the gate, the shell and its navigation), My panels, the CPMS dashboard (with
the panels' counts), the ERN dashboard, the centre's patients with panels, and the requests queue:
its page when `panels:request-queue` exists, else its query (the first page of the submitted
requests, urgent first) through the dashboard's function. Prints median and p95 (ms), the ratio of
each median to the bare view's, and the queries of one GET. Target: ≤ 2× the bare signed-in page.

    uv run python bench/bench_panels.py
    BENCH_PANELS=10000 BENCH_CONTRIBUTIONS=100000 uv run python bench/bench_panels.py   # a quick try
    BENCH_EXPLAIN=1 …   # also print the plans of the slowest queries of each page
"""

import datetime
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from support import bench_urls, configure, p95, throwaway_postgresql

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
PANELS = int(os.environ.get("BENCH_PANELS", "100000"))
CONTRIBUTIONS = int(os.environ.get("BENCH_CONTRIBUTIONS", "1000000"))
PATIENTS = int(os.environ.get("BENCH_PATIENTS", str(max(PANELS // 2, 100))))
EXPERTS = int(os.environ.get("BENCH_EXPERTS", "2000"))
EXPLAIN = os.environ.get("BENCH_EXPLAIN") == "1"
CENTRES = 20
MEMBERS_PER_PANEL = 4
# status → share of the panels (the rest are closed)
STATUSES = [("archived", 0.20), ("open", 0.12), ("submitted", 0.05), ("draft", 0.02), ("returned", 0.01)]
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def pseudonym(number: int) -> str:
    value = (number * 0x9E3779B97F4A7C15 + 12345) % 32**10
    return "CPMS-" + "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(10))


def world():
    from django.utils import timezone

    from cpms.access.tests.factories import make_grant, make_institutions, make_tree
    from cpms.clinical.models import ClinicianProfile, ThematicArea
    from cpms.identity.models import User

    tree = make_tree(institutions=(("DE22", "University Hospital Tubingen"),))
    centres = [tree.hcp, *make_institutions(tree.country, CENTRES - 1, prefix="DX")]
    helena = User.objects.create_user("nhelena1", "helena@example.org", None, first_name="Helena")
    make_grant(helena, tree.hcp)
    make_grant(helena, tree.hcp, profile_code="coordinator")
    ClinicianProfile.objects.create(user=helena, job_title="Neurologist", completed_at=timezone.now())
    experts = User.objects.bulk_create(
        User(username=f"nexp{n:05d}", email=f"expert{n}@example.org", first_name="Expert", last_name=str(n))
        for n in range(EXPERTS)
    )
    areas = ThematicArea.objects.bulk_create(
        ThematicArea(ern_id=tree.ern.pk, code=f"area-{n}", name=f"Area {n}") for n in range(6)
    )
    return tree, centres, helena, experts, areas


def copy_rows(table: str, columns: str, rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )


def load_patients(centres, helena) -> None:
    from django.utils import timezone

    from cpms.lib.crypto import encrypt

    cipher = encrypt("x")
    now = timezone.now()
    columns = (
        "id, pseudonym, centre_id, ern_id, given_names, family_name, birth_date, hospital_number, "
        "national_id, hospital_number_index, identity_index, sex_at_birth, year_of_birth, "
        "country_of_residence, vital_status, care_consent, registries_consent, research_contact_consent, "
        "enrolled_by_id, enrolled_at"
    )
    ern_id = centres[0].ern_id
    copy_rows(
        "patients_patient",
        columns,
        (
            (n + 1, pseudonym(n), centres[n % CENTRES].pk, ern_id, cipher, cipher, cipher, cipher, cipher)
            + (f"bench-{n}", "", "female", 1980, "DE", "alive", "given", "given", "given", helena.pk, now)
            for n in range(PATIENTS)
        ),
    )
    reset_sequence("patients_patient")


def status_of(rng: random.Random) -> str:
    draw = rng.random()
    for status, share in STATUSES:
        if draw < share:
            return status
        draw -= share
    return "closed"


class Loader:
    """Panels, memberships, contributions and outcome versions, by COPY, from one seeded generator."""

    def __init__(self, tree, centres, helena, experts, areas):
        self.rng = random.Random(11)
        self.tree, self.centres, self.helena, self.areas = tree, centres, helena, areas
        self.expert_ids = [user.pk for user in experts]
        self.now = datetime.datetime.now(datetime.UTC)
        self.panels: list[tuple] = []  # (id, status, lead id, member ids, requester id)

    def helena_is(self, n: int) -> str:
        """Helena's place on panel n: a few hundred of each (about 1 in 100 panels)."""
        return {7: "requester", 23: "lead", 41: "member", 59: "invited"}.get(n % 100, "")

    def load(self) -> None:
        self.load_panels()
        self.load_memberships()
        self.load_contributions()
        self.load_outcomes()

    def load_panels(self) -> None:
        rng, de22 = self.rng, self.centres[0]
        columns = (
            "id, patient_id, ern_id, thematic_area_id, centre_id, requester_id, lead_id, title, question, "
            "urgency, wished_answer_date, shared_sections, status, created_at, submitted_at, accepted_at, "
            "updated_at"
        )
        rows = []
        for n in range(PANELS):
            status = status_of(rng)
            patient = 1 + n % PATIENTS
            centre = self.centres[(patient - 1) % CENTRES].pk
            role = self.helena_is(n)
            requester = self.helena.pk if role in ("requester", "lead") else rng.choice(self.expert_ids)
            if role in ("requester", "lead"):
                patient = 1 + (n // CENTRES) * CENTRES % PATIENTS  # a DE22 patient (centre index 0)
                centre = de22.pk
            opened = status in ("open", "closed", "archived")
            lead = (self.helena.pk if role == "lead" else requester) if opened else None
            members = rng.sample(self.expert_ids, MEMBERS_PER_PANEL) if opened else []
            if role == "member" and opened:
                members[0] = self.helena.pk
            created = self.now - datetime.timedelta(minutes=PANELS - n)
            rows.append(
                (
                    n + 1,
                    patient,
                    self.tree.ern.pk,
                    self.areas[n % len(self.areas)].pk,
                    centre,
                    requester,
                    lead,
                    "",
                    "A question to the panel.",
                    "urgent" if rng.random() < 0.1 else "routine",
                    (created + datetime.timedelta(days=30)).date(),
                    '["status", "phenotype"]',
                    status,
                    created,
                    None if status == "draft" else created,
                    created if opened else None,
                    created,
                )
            )
            self.panels.append((n + 1, status, lead, members, requester, role == "invited" and opened))
        copy_rows("panels_panel", columns, rows)
        reset_sequence("panels_panel")

    def load_memberships(self) -> None:
        columns = "panel_id, user_id, role, status, via, invited_at, answered_at, decline_reason"
        now = self.now

        def rows():
            for panel_id, _status, lead, members, _requester, helena_invited in self.panels:
                if lead is None:
                    continue
                yield (panel_id, lead, "lead", "accepted", "lead", now, now, "")
                for user in members:
                    if user != lead:
                        yield (panel_id, user, "member", "accepted", "individual", now, now, "")
                if helena_invited and self.helena.pk not in (lead, *members):
                    yield (panel_id, self.helena.pk, "member", "invited", "individual", now, None, "")

        copy_rows("panels_membership", columns, rows())

    def load_contributions(self) -> None:
        rng = self.rng
        opened = [panel for panel in self.panels if panel[2] is not None]
        columns = "panel_id, author_id, kind, text, created_at"
        now = self.now

        def rows():
            for n in range(CONTRIBUTIONS):
                panel_id, status, lead, members, _requester, _invited = opened[n % len(opened)]
                kind = "info_request" if rng.random() < 0.03 and status == "open" else "contribution"
                author = members[n % len(members)] if members else lead
                yield (panel_id, author, kind, "An opinion on the case.", now - datetime.timedelta(seconds=n))

        copy_rows("panels_contribution", columns, rows())

    def load_outcomes(self) -> None:
        columns = (
            "panel_id, number, author_id, findings, recommendations, treatment_plan, follow_up, created_at, "
            "submitted_at, signed_at, letter_storage_name"
        )
        now = self.now

        def rows():
            for panel_id, status, lead, _members, _requester, _invited in self.panels:
                if status in ("closed", "archived"):
                    yield (panel_id, 1, lead, "Findings.", "Advice.", "", "", now, now, now, "")
                elif status == "open" and panel_id % 3 == 0:
                    yield (panel_id, 1, lead, "Findings.", "Advice.", "", "", now, now, None, "")

        copy_rows("panels_outcomeversion", columns, rows())


def time_get(client, url: str, params: dict | None = None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        client.get(url, params or {})
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params or {})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params or {})
    return {"median": statistics.median(timings), "p95": p95(timings), "queries": len(queries)}


def time_call(function) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        function()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        function()
    return {"median": statistics.median(timings), "p95": p95(timings), "queries": len(queries)}


def explain(client, url: str) -> None:
    """EXPLAIN ANALYZE of every query of one GET (the slowest first)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    with connection.cursor() as cursor:
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
            if not query["sql"].startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print(f"-- {query['time']} s: {query['sql'][:160]}")
            print("\n".join(row[0] for row in cursor.fetchall()))


def queue_scenario(ern_id: int):
    """The requests queue: its page once it exists, its query meanwhile (another branch builds the page)."""
    from django.urls import NoReverseMatch, reverse

    from cpms.panels.queries.dashboards import first_of, to_triage_in

    try:
        return "page", reverse("panels:request-queue")
    except NoReverseMatch:
        return "query", lambda: first_of(
            to_triage_in([ern_id]).select_related("patient", "thematic_area"), 25
        )


def main() -> None:
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-panels-")
    try:
        with throwaway_postgresql() as database_url:
            configure(folder, database_url)
            from django.core.management import call_command
            from django.db import connection
            from django.test import Client
            from django.test.utils import override_settings
            from django.urls import reverse

            from cpms.panels.models import Contribution, Membership, Panel
            from cpms.test import sign_in

            override_settings(ROOT_URLCONF=bench_urls("bench_panels"), ALLOWED_HOSTS=["*"]).enable()
            call_command("migrate", verbosity=0)
            tree, centres, helena, experts, areas = world()
            load_started = time.perf_counter()
            load_patients(centres, helena)
            Loader(tree, centres, helena, experts, areas).load()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves it: index-only scans may count
            seconds = time.perf_counter() - load_started
            client = sign_in(Client(), helena)
            my_panels = reverse("panels:my-panels")
            scenarios = {
                "bare signed-in page": ("/bench/bare/", None),
                "empty CPMS page": ("/bench/shell/", None),
                "My panels": (my_panels, None),
                "CPMS dashboard": (reverse("clinical:dashboard"), None),
                "ERN dashboard": (reverse("panels:ern-dashboard", args=[tree.ern.pk]), None),
                "centre's panels": (reverse("panels:centre-panels", args=[centres[0].pk]), None),
            }
            results = {name: time_get(client, *scenario) for name, scenario in scenarios.items()}
            kind, queue = queue_scenario(tree.ern.pk)
            if kind == "page":
                results["requests queue (page)"] = time_get(client, queue)
            else:
                results["requests queue (query only)"] = time_call(queue)
            print(
                f"PostgreSQL: {Panel.objects.unscoped().count():,} panels, "
                f"{Contribution.objects.count():,} contributions, "
                f"{Membership.objects.count():,} memberships, "
                f"{PATIENTS:,} patients, loaded by COPY in {seconds:.0f} s. {RUNS} runs each, in-process:"
            )
            bare = results["bare signed-in page"]["median"]
            print(f"{'page':<30}{'median ms':>10}{'p95 ms':>9}{'×bare':>7}{'queries':>9}")
            for name, result in results.items():
                print(
                    f"{name:<30}{result['median']:>10.2f}{result['p95']:>9.2f}"
                    f"{result['median'] / bare:>7.2f}{result['queries']:>9}"
                )
            if EXPLAIN:
                for name, (url, _params) in scenarios.items():
                    print(f"==== {name}")
                    explain(client, url)
                if kind == "page":
                    print("==== requests queue")
                    explain(client, queue)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"(done in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
