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

# shellcheck source=bench/private_postgres.sh
. bench/private_postgres.sh
PORT=${BENCH_PG_PORT:-5439}
trap stop_private_postgres EXIT
start_private_postgres "$PORT" "make bench"
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres" "$PY" -m bench "$@"
