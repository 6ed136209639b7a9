#!/usr/bin/env bash
# `make bench`: the benchmark (python -m bench) on PostgreSQL. With DATABASE_URL, on that server (the
# runner creates <name>_bench beside the database and drops it). Without, on a private cluster like
# .ci/run's, on its own port, stopped and removed on exit; Debian's postgresql is installed when
# missing and we are root. Arguments go to the runner: bench/run.sh --sizes 250 --only entry_big
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

if [ -n "${DATABASE_URL:-}" ]; then
    exec "$PY" -m bench "$@"
fi

is_root() { [ "$(id -u)" = 0 ]; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null; then
        echo "== Installing PostgreSQL with apt-get (the benchmark measures PostgreSQL)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
    else
        echo "make bench needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:PORT/DB, or install" >&2
        echo "Debian's postgresql (sudo apt-get install postgresql) for a private server." >&2
        exit 1
    fi
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PORT=${BENCH_PG_PORT:-5439}
PGROOT=$(mktemp -d)
as_postgres() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
if is_root; then chown postgres "$PGROOT"; fi
stop_postgres() {
    as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PGROOT"
}
trap stop_postgres EXIT
as_postgres "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# The server's defaults (fsync on, as in production), on loopback only.
as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/pg.log" -w \
    -o "-p $PORT -k $PGROOT -c listen_addresses=127.0.0.1" start >/dev/null
echo "== Private PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres" "$PY" -m bench "$@"
