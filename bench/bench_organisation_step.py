"""Step 2 of "Request access" (the organisation tree) with 2,000 institutions in one country.

Builds a throw-away SQLite database in a temporary folder, migrates it, loads one ERN with a
country of 10 institutions and one of 2,000, signs a user in with a prepared wizard session,
then times GET of the organisation step with Django's test client: the small country, then
page 1, a middle page and a search in the big one, 50 times each. Prints the median time of
each, its ratio to the small country (about 1 when the page does not grow with the rows), and
the queries per page.

    uv run python bench/bench_organisation_step.py
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 50
INSTITUTIONS = 2000
SMALL = 10


def configure(folder: str) -> None:
    """Settings come from the environment: point them at the temporary folder before setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CPMS_EMBEDDED"] = "1"
    os.environ["CPMS_VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    import django

    django.setup()


def load_data():
    from cpms.access.tests.factories import make_institutions, make_request, make_tree
    from cpms.identity.models import User

    tree = make_tree(institutions=(("DE22", "University Hospital and Faculty of Medicine Tubingen"),))
    make_institutions(tree.country, INSTITUTIONS - 1)
    small = make_tree(country="Luxembourg", country_code="LU", institutions=(("LU01", "CHL"),))
    make_institutions(small.country, SMALL - 1, prefix="L")
    tree.small_country = small.country
    user = User.objects.create_user("nbench01", "bench@example.org", None, first_name="Ben", last_name="Ch")
    make_request(user, tree.hcp, "hp")  # one "(request submitted)" mark on page 1
    return tree, user


def time_page(client, url: str, params: dict) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm up
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return statistics.median(timings), len(queries)


def main() -> None:
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cpms-bench-")
    try:
        configure(folder)
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        from cpms.access.tests.factories import wizard_session
        from cpms.test import sign_in

        setup_test_environment()  # the test client's host, e-mails kept in memory
        call_command("migrate", verbosity=0)
        tree, user = load_data()
        client = sign_in(Client(), user)
        wizard_session(client, tree.application)

        url = "/access/request/organisation/"
        country = tree.country.pk
        total_pages = -(-INSTITUTIONS // 25)
        scenarios = [
            (f"{SMALL} institutions", {"node": tree.small_country.pk}),
            ("page 1", {"node": country}),
            (f"page {total_pages // 2} of {total_pages}", {"node": country, "page": total_pages // 2}),
            ("search 'hospital 1'", {"node": country, "q": "hospital 1"}),
        ]
        print(f"Organisation step, {INSTITUTIONS} institutions in one country, median of {RUNS} GETs")
        print(f"(ratio: to the page of a country with {SMALL} institutions)")
        print(f"{'page':<24}{'median ms':>10}{'ratio':>8}{'queries':>9}")
        baseline = None
        for name, params in scenarios:
            median, queries = time_page(client, url, params)
            baseline = baseline or median
            print(f"{name:<24}{median:>10.2f}{median / baseline:>8.2f}{queries:>9}")
        print(f"(done in {time.perf_counter() - started:.1f} s)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
