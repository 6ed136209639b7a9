# Sourced by bench/run.sh and loadtest/run.sh: a private PostgreSQL cluster on loopback, with the
# server's defaults (fsync on, as in production), removed by stop_private_postgres (set a trap).
#   start_private_postgres PORT "make bench"   → PGBIN, PGROOT set; the server answers on 127.0.0.1:PORT
# Debian's postgresql is installed when missing and we are root; else it says what to do and exits 1.

is_root() { [ "$(id -u)" = 0 ]; }
as_postgres() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGBIN="" PGROOT=""

start_private_postgres() {
    local port=$1 purpose=$2
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        if is_root && command -v apt-get >/dev/null; then
            echo "== Installing PostgreSQL with apt-get ($purpose runs on PostgreSQL)"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
        else
            echo "$purpose needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:PORT/DB, or install" >&2
            echo "Debian's postgresql (sudo apt-get install postgresql) for a private server." >&2
            exit 1
        fi
    fi
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PGROOT=$(mktemp -d)
    if is_root; then chown postgres "$PGROOT"; fi
    as_postgres "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/pg.log" -w \
        -o "-p $port -k $PGROOT -c listen_addresses=127.0.0.1" start >/dev/null
    echo "== Private PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_private_postgres() {
    if [ -n "$PGROOT" ]; then
        as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PGROOT"
        PGROOT=""
    fi
}
