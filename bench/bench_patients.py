"""The centre's patient list and the patient search at 1,000,000 patients, on a throw-away PostgreSQL.

Starts PostgreSQL like scripts/test.sh (bench/support.py), migrates, builds ERN-RND with 20 centres
and a signed-in HP at DE22, then loads BENCH_PATIENTS patients (1,000,000 by default) with COPY:
DE22 holds a tenth of them (a very large centre), the others share the rest. Identifying fields are
real Fernet ciphertext, drawn from a pool computed once (encrypting 5,000,000 fields one by one would
take minutes and measure nothing the pages do); each hospital number has its own blind index, so
the search is an exact look-up among a million.

Timed in-process with Django's test client through the whole middleware stack, BENCH_RUNS GETs each
after a warm-up: a bare signed-in view (login_required, returns "ok", bench-only) as the yardstick,
an empty page of CPMS (the gate, the shell and its navigation; bench-only) beside it,
the centre's list (first page, and a page deep in the list by keyset), a search by hospital number
and by pseudonym. Prints median and p95 (ms), the ratio of each median to the bare view's, and the
queries of one GET. Target: ≤ 2× the bare signed-in page.

    uv run python bench/bench_patients.py
    BENCH_PATIENTS=100000 uv run python bench/bench_patients.py   # a quick try
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
PATIENTS = int(os.environ.get("BENCH_PATIENTS", "1000000"))
CENTRES = 20
BIG_CENTRE_SHARE = 0.1
POOL = 500
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def pseudonym(number: int) -> str:
    """Distinct for distinct numbers (an odd multiplier is a bijection modulo 32**10), random-looking."""
    value = (number * 0x9E3779B97F4A7C15 + 12345) % 32**10
    return "CPMS-" + "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(10))


def world():
    from django.utils import timezone

    from cpms.access.tests.factories import make_grant, make_institutions, make_tree
    from cpms.clinical.models import ClinicianProfile
    from cpms.identity.models import User

    tree = make_tree(institutions=(("DE22", "University Hospital Tubingen"),))
    centres = [tree.hcp, *make_institutions(tree.country, CENTRES - 1, prefix="DX")]
    helena = User.objects.create_user("nhelena1", "helena@example.org", None, first_name="Helena")
    make_grant(helena, tree.hcp)
    ClinicianProfile.objects.create(user=helena, job_title="Neurologist", completed_at=timezone.now())
    return centres, helena


def load_patients(centres, helena) -> tuple[float, str, str]:
    """COPY the patients; returns the seconds it took, a hospital number and a pseudonym of DE22."""
    from django.db import connection
    from django.utils import timezone

    from cpms.lib.crypto import encrypt
    from cpms.patients.queries import hospital_number_index

    rng = random.Random(7)
    names = [(encrypt(f"Given{n}"), encrypt(f"Family{n}")) for n in range(POOL)]
    dates = [datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(30000)) for _ in range(POOL)]
    births = [(encrypt(d.isoformat()), d.year) for d in dates]
    numbers = [encrypt(f"H-{n}") for n in range(POOL)]
    empty = encrypt("")
    columns = (
        "pseudonym, centre_id, ern_id, given_names, family_name, birth_date, hospital_number, national_id, "
        "hospital_number_index, identity_index, sex_at_birth, year_of_birth, country_of_residence, "
        "vital_status, care_consent, registries_consent, research_contact_consent, enrolled_by_id, "
        "enrolled_at"
    )
    now = timezone.now()
    ern_id = centres[0].ern_id
    started = time.perf_counter()
    sample_number = sample_pseudonym = ""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY patients_patient ({columns}) FROM STDIN") as copy:
            for n in range(PATIENTS):
                centre = centres[0] if rng.random() < BIG_CENTRE_SHARE else centres[1 + n % (CENTRES - 1)]
                given, family = names[n % POOL]
                birth, year = births[n % POOL]
                number = f"HN-{n:08d}"
                if centre is centres[0] and n > PATIENTS // 2 and not sample_number:
                    sample_number, sample_pseudonym = number, pseudonym(n)
                copy.write_row(
                    (
                        pseudonym(n),
                        centre.pk,
                        ern_id,
                        given,
                        family,
                        birth,
                        numbers[n % POOL],
                        empty,
                        hospital_number_index(centre.pk, number),
                        "",
                        ("female", "male")[n % 2],
                        year,
                        "DE",
                        "alive",
                        "given",
                        ("given", "refused", "not_asked")[n % 3],
                        ("given", "not_asked")[n % 2],
                        helena.pk,
                        now - datetime.timedelta(minutes=PATIENTS - n),
                    )
                )
        cursor.execute("ANALYZE")
    return time.perf_counter() - started, sample_number, sample_pseudonym


def time_get(client, url: str, params: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        client.get(url, params)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return {"median": statistics.median(timings), "p95": p95(timings), "queries": len(queries)}


def main() -> None:
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-patients-")
    try:
        with throwaway_postgresql() as database_url:
            configure(folder, database_url)
            from django.core.management import call_command
            from django.db.models import Max
            from django.test import Client
            from django.test.utils import override_settings
            from django.urls import reverse

            from cpms.patients.models import Patient
            from cpms.test import sign_in

            override_settings(ROOT_URLCONF=bench_urls("bench_patients"), ALLOWED_HOSTS=["*"]).enable()
            call_command("migrate", verbosity=0)
            centres, helena = world()
            seconds, number, sample_pseudonym = load_patients(centres, helena)
            at_de22 = Patient.objects.at_centres([centres[0].pk])
            deep = at_de22.aggregate(Max("id"))["id__max"] - PATIENTS // 2  # a page half-way down the list
            client = sign_in(Client(), helena)
            url = reverse("patients:centre-patient-list", kwargs={"centre": centres[0].pk})
            scenarios = {
                "bare signed-in page": ("/bench/bare/", {}),
                "empty CPMS page": ("/bench/shell/", {}),
                "centre list, page 1": (url, {}),
                "centre list, deep page": (url, {"after": str(deep)}),
                "search: hospital number": (url, {"q": number}),
                "search: pseudonym": (url, {"q": sample_pseudonym}),
            }
            results = {name: time_get(client, *scenario) for name, scenario in scenarios.items()}
            print(
                f"PostgreSQL: {Patient.objects.unscoped().count():,} patients ({at_de22.count():,} at DE22), "
                f"loaded by COPY in {seconds:.0f} s. {RUNS} GETs each, in-process:"
            )
            bare = results["bare signed-in page"]["median"]
            print(f"{'page':<26}{'median ms':>10}{'p95 ms':>9}{'×bare':>7}{'queries':>9}")
            for name, result in results.items():
                print(
                    f"{name:<26}{result['median']:>10.2f}{result['p95']:>9.2f}"
                    f"{result['median'] / bare:>7.2f}{result['queries']:>9}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"(done in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
