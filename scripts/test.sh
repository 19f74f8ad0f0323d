#!/usr/bin/env bash
# The whole test run, as `make test` and CI do it:
#   1. lint and migration checks, `check --deploy` under a production-like environment;
#   2. the pytest suite on SQLite (the embedded default);
#   3. the same suite on a throw-away PostgreSQL server started here and removed on exit (the tests that
#      use a database: the others cannot differ).
# Browser tests run once, where they tell most: those of what a page draws (marked `drawing`) on SQLite,
# the journeys on PostgreSQL, whose live server answers requests in parallel as a deployment does (the
# in-memory SQLite one answers them one at a time), and the seed's Step 1 and Step 2 (`seed`) on both.
# A throw-away redis-server (loopback, nothing on disk) serves both runs as the Celery broker of
# the tests that prove the background path; they run a real Celery worker against it
# (cpms/lib/tests/broker.py: a worker thread that sees the test database, and worker processes).
# Extra arguments are passed to both pytest runs, e.g. `scripts/test.sh -k sms -x`.
# Assumes `make install` has run (uv, the locked virtualenv, node_modules, Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

export UV_FROZEN=1 # run what uv.lock says, never re-lock
unset PYTHONDONTWRITEBYTECODE # each pytest worker would compile every module (and rewrite every test) again
PYTEST_WORKERS="${PYTEST_WORKERS:-2}"
started_at=$SECONDS

section() {
    printf '\n==== %s ==== (%ds)\n' "$*" "$((SECONDS - started_at))"
}

# Environment variables from the caller's shell must not change which database or mode the tests see.
unset DATABASE_URL DEBUG SECRET_KEY CPMS_FIELD_KEYS CPMS_BLIND_INDEX_KEY ALLOWED_HOSTS SITE_URL WEBAUTHN_RP_ID \
    OIDC_RSA_PRIVATE_KEY OIDC_RSA_PRIVATE_KEY_FILE OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE \
    CSRF_TRUSTED_ORIGINS SECURE_SSL_REDIRECT BEHIND_TLS_PROXY TRUSTED_PROXY_COUNT SMS_BACKEND \
    CELERY_BROKER_URL REDIS_URL CELERY_VISIBILITY_TIMEOUT CPMS_TEST_REDIS_URL

# ---------------------------------------------------------------------------------------------
section "Lint: ruff check"
uv run ruff check .

section "Format: ruff format --check"
uv run ruff format --check .

section "Architecture: import-linter (lib ← audit | outbox ← identity ← access ← clinical)"
uv run lint-imports --no-cache

section "Migrations: makemigrations --check"
CPMS_EMBEDDED=1 uv run python manage.py makemigrations --check --dry-run

section "Production settings: check --deploy"
secret_key="$(uv run python -c 'import secrets; print(secrets.token_urlsafe(45))')" # 60 characters
field_key="$(uv run python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
oidc_key="$(uv run python -c 'from cpms.lib.keys import new_private_key_pem; print(new_private_key_pem())')"
DJANGO_SETTINGS_MODULE=config.settings \
    DATABASE_URL="postgres://x@127.0.0.1:1/x" \
    SECRET_KEY="$secret_key" \
    CPMS_FIELD_KEYS="$field_key" \
    CPMS_BLIND_INDEX_KEY="$secret_key" \
    OIDC_RSA_PRIVATE_KEY="$oidc_key" \
    ALLOWED_HOSTS=cpms.example.org \
    SITE_URL=https://cpms.example.org \
    WEBAUTHN_RP_ID=cpms.example.org \
    CPMS_EMBEDDED=0 \
    uv run python manage.py check --deploy --fail-level WARNING

# ---------------------------------------------------------------------------------------------
section "Starting a throw-away Redis (the Celery broker of the background tests)"

free_port() {
    uv run python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

redis_server="$(command -v redis-server || true)"
if [[ -z "$redis_server" ]]; then
    echo "No redis-server (apt-get install redis-server)." >&2
    exit 1
fi
redis_dir="$(mktemp -d -t cpms-redis.XXXXXX)"
redis_port="$(free_port)"
"$redis_server" --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$redis_dir" \
    --daemonize no --logfile "$redis_dir/redis.log" &
redis_pid=$!

stop_redis() {
    if [[ -n "${redis_pid:-}" ]] && kill -0 "$redis_pid" 2>/dev/null; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
    rm -rf "$redis_dir"
}
on_exit() {
    local status=$?
    trap - EXIT
    stop_redis
    exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 100); do
    if [[ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" == PONG ]]; then
        break
    fi
    kill -0 "$redis_pid" 2>/dev/null || { cat "$redis_dir/redis.log" >&2; exit 1; }
    sleep 0.1
done
export CPMS_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
echo "Redis $("$redis_server" --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:$redis_port"

# ---------------------------------------------------------------------------------------------
section "pytest on SQLite"
CPMS_EMBEDDED=1 uv run pytest -n "$PYTEST_WORKERS" -m "not browser or drawing or seed" "$@"

# ---------------------------------------------------------------------------------------------
section "Starting a throw-away PostgreSQL"

pg_bindir=""
for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
        pg_bindir="$candidate"
        break
    fi
done
if [[ -z "$pg_bindir" ]]; then
    echo "No PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)." >&2
    exit 1
fi

pg_dir="$(mktemp -d -t cpms-pg.XXXXXX)"
pg_data="$pg_dir/data"
pg_sock="$pg_dir/sock"
pg_log="$pg_dir/postgres.log"
pg_port="$(free_port)"

# PostgreSQL refuses to run as root: use the postgres system user, or one of our own.
as_pg=()
pg_user="$(id -un)"
if [[ "$(id -u)" -eq 0 ]]; then
    if id -u postgres >/dev/null 2>&1; then
        pg_user=postgres
    else
        pg_user=cpmspg
        id -u "$pg_user" >/dev/null 2>&1 ||
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_user"
    fi
    as_pg=(runuser -u "$pg_user" --)
fi

stop_postgres() {
    local status=$?
    trap - EXIT
    if [[ -f "$pg_data/postmaster.pid" ]]; then
        "${as_pg[@]}" "$pg_bindir/pg_ctl" stop -D "$pg_data" -m immediate -s >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
    stop_redis
    exit "$status"
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$pg_sock"
printf 'postgres\n' >"$pg_dir/pwfile"
chown -R "$pg_user" "$pg_dir"

# Local (socket) connections are trusted, for the set-up below; TCP needs a password, as in production.
"${as_pg[@]}" "$pg_bindir/initdb" -D "$pg_data" -U postgres --pwfile="$pg_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >"$pg_dir/initdb.log" ||
    { cat "$pg_dir/initdb.log" >&2; exit 1; }

if ! "${as_pg[@]}" "$pg_bindir/pg_ctl" start -D "$pg_data" -l "$pg_log" -w -t 60 -s \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; then
    cat "$pg_log" >&2
    exit 1
fi

psql_admin=("$pg_bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_sock" -p "$pg_port" -U postgres -d postgres)
# A superuser, because pytest-django creates (and drops) a test database per xdist worker.
"${psql_admin[@]}" -c "CREATE ROLE cpms LOGIN SUPERUSER PASSWORD 'cpms'"
"${psql_admin[@]}" -c "CREATE DATABASE cpms OWNER cpms"
echo "PostgreSQL $("${psql_admin[@]}" -At -c 'SHOW server_version') on 127.0.0.1:$pg_port, data in $pg_data"

# ---------------------------------------------------------------------------------------------
section "pytest on PostgreSQL"
# Only the tests that use a database: the others (no database access, pytest-django refuses it) passed
# on SQLite and would do the same here; so would the browser tests of what is drawn.
DATABASE_URL="postgres://cpms:cpms@127.0.0.1:$pg_port/cpms" CPMS_EMBEDDED=1 \
    uv run pytest -n "$PYTEST_WORKERS" --database-tests-only -m "not drawing" "$@"

section "All checks passed"
