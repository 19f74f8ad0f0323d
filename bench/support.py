"""What several benchmarks share: Django set up on a throw-away folder and database, the bare and shell
pages to compare with, a free loopback port, a throw-away PostgreSQL, the 95th percentile.

Not a benchmark itself (`make bench` runs bench/bench_*.py).
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(folder: str, database_url: str | None) -> None:
    """Django on the embedded default in `folder`, on `database_url` (none: SQLite in the folder)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CPMS_EMBEDDED"] = "1"
    os.environ["CPMS_VAR_DIR"] = folder
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def bench_urls(name: str) -> str:
    """A URL configuration (its module name) with the two pages every bench compares with: a bare
    signed-in view and the empty CPMS shell (the gate, the navigation), then the site's own URLs."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.urls import include, path

    from cpms.clinical.decorators import cpms_user_required

    @login_required
    def bare(request):
        return HttpResponse("ok")

    @cpms_user_required
    def shell(request):
        return render(request, "clinical/base_cpms.html")

    module = types.ModuleType(f"{name}_urls")
    module.urlpatterns = [
        path("bench/bare/", bare),
        path("bench/shell/", shell),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def p95(values: list[float]) -> float:
    """The 95th percentile; with fewer than two values (a short run), the largest."""
    if len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=20)[-1]


def postgresql_bindir() -> Path | None:
    for candidate in [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"))]:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _has_user(name: str) -> bool:
    return subprocess.run(["id", "-u", name], capture_output=True).returncode == 0


def _postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as `postgres` (or a system user of ours)."""
    if os.getuid() != 0:
        return []
    user = "postgres" if _has_user("postgres") else "cpmspg"
    if not _has_user(user):
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user], check=True
        )
    return ["runuser", "-u", user, "--"]


@contextmanager
def throwaway_postgresql(max_connections: int = 100) -> Iterator[str]:
    """A DATABASE_URL of a fresh server (initdb in a temporary folder, a loopback port), removed
    afterwards: the recipe of scripts/test.sh."""
    bindir = postgresql_bindir()
    if bindir is None:
        raise SystemExit(
            "No PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)."
        )
    folder = Path(tempfile.mkdtemp(prefix="cpms-bench-pg-"))
    data, sock, port = folder / "data", folder / "sock", free_port()
    as_pg = _postgres_user()
    sock.mkdir()
    (folder / "pwfile").write_text("postgres\n")
    if as_pg:
        subprocess.run(["chown", "-R", as_pg[2], str(folder)], check=True)

    def run(*args) -> None:
        subprocess.run([*as_pg, *map(str, args)], check=True, capture_output=True)

    try:
        initdb = [bindir / "initdb", "-D", data, "-U", "postgres", f"--pwfile={folder / 'pwfile'}"]
        run(
            *initdb,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off -c synchronous_commit=off"
        options += f" -c full_page_writes=off -c max_connections={max_connections}"
        run(bindir / "pg_ctl", "start", "-D", data, "-l", folder / "log", "-w", "-s", "-o", options)
        psql = [
            bindir / "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            sock,
            "-p",
            port,
            "-U",
            "postgres",
        ]
        run(*psql, "-d", "postgres", "-c", "CREATE ROLE cpms LOGIN SUPERUSER PASSWORD 'cpms'")
        run(*psql, "-d", "postgres", "-c", "CREATE DATABASE cpms OWNER cpms")
        yield f"postgres://cpms:cpms@127.0.0.1:{port}/cpms"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_pg, str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-s"])
        shutil.rmtree(folder, ignore_errors=True)
