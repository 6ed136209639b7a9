#!/usr/bin/env bash
# `make loadtest`: the deadline rush on this machine, loopback only, bounded (issue 11).
# 1. PostgreSQL: DATABASE_URL's server (a database <name>_loadtest beside it, made afresh, dropped at the
#    end), else a private cluster on its own port like bench/run.sh's, stopped and removed on exit.
# 2. The synthetic plan and the people (loadtest/prepare.py, the project's venv).
# 3. Two gunicorn instances on two loopback ports, production settings (DJANGO_DEBUG off, a generated
#    secret key, WhiteNoise after collectstatic; mail to the dummy backend).
# 4. locust headless (its own venv, .venv-load): LOAD_RUN_TIME seconds of load and at most
#    LOAD_STOP_TIMEOUT more for the last actions to finish (120 s in all by default).
# 5. The servers stopped, then the figures and the checks (loadtest/check.py); exit 1 when a check fails.
# Knobs (environment): LOAD_USERS (100), LOAD_PAIRS (5), LOAD_PLANNERS (3), LOAD_INDICATORS (2500),
# LOAD_RUN_TIME (90), LOAD_STOP_TIMEOUT (30), LOAD_SPAWN_RATE (10 a second: 100 sign-ins in 10 s, a
# herd worse than a deadline morning; docs/scaling.md "The sign-in ramp" gives the figures at 2 too),
# LOAD_THINK (1: a factor on the think times), LOAD_WORKERS (2 a instance), LOAD_WORKER_CLASS (sync),
# LOAD_THREADS (1),
# LOAD_PORTS ("8301 8302"), LOAD_PG_PORT (5438), LOAD_KEEP=1 keeps the work folder (logs, record); it is
# kept anyway when a browser kept an answer it could not read as expected (its kept/ folder).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
LOAD_VENV=${LOAD_VENV:-.venv-load}
USERS=${LOAD_USERS:-100}
PAIRS=${LOAD_PAIRS:-5}
PLANNERS=${LOAD_PLANNERS:-3}
INDICATORS=${LOAD_INDICATORS:-2500}
RUN_TIME=${LOAD_RUN_TIME:-90}
STOP_TIMEOUT=${LOAD_STOP_TIMEOUT:-30}
SPAWN_RATE=${LOAD_SPAWN_RATE:-10}
WORKERS=${LOAD_WORKERS:-2}
WORKER_CLASS=${LOAD_WORKER_CLASS:-sync}
THREADS=${LOAD_THREADS:-1}
export LOAD_THINK=${LOAD_THINK:-1}
THINK=$LOAD_THINK
read -r -a PORTS <<< "${LOAD_PORTS:-8301 8302}"
GUNICORN="$(dirname "$PY")/gunicorn"

WORK=$(mktemp -d /tmp/mezasu-loadtest-XXXXXX)
SERVER_PIDS=()
ADMIN_URL=""
# shellcheck source=bench/private_postgres.sh
. bench/private_postgres.sh
stop_servers() {
    for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SERVER_PIDS=()
}
cleanup() {
    stop_servers
    if [ -n "$ADMIN_URL" ]; then "$PY" -m loadtest.prepare --drop-database "$ADMIN_URL" || true; fi
    stop_private_postgres
    if [ "${LOAD_KEEP:-}" = 1 ] || [ -d "$WORK/kept" ]; then echo "== Logs and record kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in "${PORTS[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "Port $port is taken: set LOAD_PORTS=\"P1 P2\"." >&2; exit 1
    fi
done

# --- PostgreSQL -----------------------------------------------------------------------------------
if [ -n "${DATABASE_URL:-}" ]; then
    ADMIN_URL=$DATABASE_URL
else
    PG_PORT=${LOAD_PG_PORT:-5438}
    start_private_postgres "$PG_PORT" "make loadtest"
    ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/mezasu"
    as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres mezasu
fi

# --- production settings, the plan and its people -------------------------------------------------
unset DJANGO_DEBUG DJANGO_SETTINGS_MODULE
DATABASE_URL=$("$PY" -m loadtest.prepare --create-database "$ADMIN_URL")
export DATABASE_URL
export DJANGO_SECRET_KEY
DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend
"$PY" manage.py compile_translations >/dev/null
# WhiteNoise serves what collectstatic made (compressing the fonts takes minutes): again only when a
# file under static/ or the requirements changed since.
if [ ! -f staticfiles/staticfiles.json ] || [ -n "$(find static requirements.txt -newer staticfiles/staticfiles.json -print -quit)" ]; then
    echo "== collectstatic (WhiteNoise's compressed files; a few minutes the first time)"
    "$PY" manage.py collectstatic --noinput -v0
fi
"$PY" -m loadtest.prepare --manifest "$WORK/manifest.json" --indicators "$INDICATORS" --users "$USERS" \
    --pairs "$PAIRS" --planners "$PLANNERS"

# --- two gunicorn instances -----------------------------------------------------------------------
HOSTS=()
for port in "${PORTS[@]}"; do
    # The access log: each request's time in the server (%(D)s µs, from its reading to its answer's end).
    "$GUNICORN" config.wsgi --bind "127.0.0.1:$port" --workers "$WORKERS" --worker-class "$WORKER_CLASS" \
        --threads "$THREADS" --no-control-socket --access-logfile "$WORK/access-$port.log" \
        --access-logformat '%(m)s %(U)s %(s)s %(D)s' >"$WORK/gunicorn-$port.log" 2>&1 &
    SERVER_PIDS+=($!)
    HOSTS+=("http://127.0.0.1:$port")
done
for host in "${HOSTS[@]}"; do
    "$PY" - "$host" <<'EOF'
import sys, time, urllib.request
for _attempt in range(120):
    try:
        if urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=2).status == 200:
            sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(f"{sys.argv[1]} did not answer /healthz")
EOF
done
SETUP="Servers: ${#PORTS[@]} gunicorn instances (${PORTS[*]}) × $WORKERS $WORKER_CLASS workers"
[ "$THREADS" != 1 ] && SETUP+=" × $THREADS threads"
SETUP+=" = $((${#PORTS[@]} * WORKERS)) processes on $(nproc) cores, DJANGO_DEBUG off, WhiteNoise, one PostgreSQL;"
SETUP+=" load: $RUN_TIME s (+ up to $STOP_TIMEOUT s for the last actions), $SPAWN_RATE people started a second, think x$THINK"
echo "== $SETUP"

# --- the rush -------------------------------------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL=$((USERS + PLANNERS + 1))
echo "== $TOTAL simulated people for $RUN_TIME s (locust log: $WORK/locust.log)"
rc=0
LOAD_MANIFEST="$WORK/manifest.json" LOAD_HOSTS=$(IFS=,; echo "${HOSTS[*]}") LOAD_RECORD="$WORK/record.json" \
    LOAD_KEEP_DIR="$WORK/kept" \
    PYTHONPATH=. timeout --signal=INT $((RUN_TIME + STOP_TIMEOUT + 60)) \
    "$LOAD_VENV/bin/locust" -f loadtest/locustfile.py --headless --users "$TOTAL" --spawn-rate "$SPAWN_RATE" \
    --run-time "${RUN_TIME}s" --stop-timeout "$STOP_TIMEOUT" --only-summary --loglevel WARNING \
    --exit-code-on-error 0 >"$WORK/locust.log" 2>&1 || rc=$?
# The CPU time the servers took (each instance's master and workers, from /proc), before they stop.
SERVER_CPU=$("$PY" loadtest/cpu.py "${SERVER_PIDS[@]}")
stop_servers
if [ $rc -ne 0 ] || [ ! -s "$WORK/record.json" ]; then
    echo "locust failed (exit $rc):" >&2; tail -30 "$WORK/locust.log" >&2; exit 1
fi
if grep -q "Traceback\|WORKER TIMEOUT" "$WORK/locust.log" "$WORK"/gunicorn-*.log; then
    echo "== Tracebacks or worker timeouts in the logs (first lines; LOAD_KEEP=1 keeps the logs):"
    grep -h -A12 "Traceback\|WORKER TIMEOUT" "$WORK/locust.log" "$WORK"/gunicorn-*.log | head -60
fi
"$PY" -m loadtest.check --manifest "$WORK/manifest.json" --record "$WORK/record.json" --setup "$SETUP" \
    --load-before "$LOAD_BEFORE" --server-cpu "$SERVER_CPU" --access-logs "$WORK"/access-*.log
