#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests and benchmarks: a fresh cluster in a temp dir, run as
# the `postgres` user on a free loopback port. Prints the server's URL on the last stdout line.
#
#   scripts/testing/postgres.sh start [--watch-pid PID] [--fast] [--tls DIR [--client-certificates]]
#                                                                   → postgres://kuzet@127.0.0.1:PORT/postgres
#   scripts/testing/postgres.sh stop URL_OR_DIR
#
# --watch-pid PID: stop the server (and delete its data) once PID is gone, so a killed test run
#                  leaves nothing behind.
# --fast:          fsync=off, synchronous_commit=off (tests only; never for benchmarks of durability).
# --tls DIR:       ssl=on with DIR/server.pem, DIR/server.key and DIR/ca.pem (the CA of client certificates).
# --client-certificates: with --tls, TCP clients must use TLS and a certificate of that CA whose
#                  common name is the user name (pg_hba `hostssl … cert`); the unix socket stays open.
set -euo pipefail

# Close every inherited descriptor above stderr: the server and the watchdog outlive this script, and a
# caller may wait for descriptors it passed us to close (Foundation's Process on Linux does).
for fd in /proc/$$/fd/*; do
    n="${fd##*/}"
    [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null || true
done

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$PG_BIN/initdb" ] || { echo "postgres.sh: initdb not found under /usr/lib/postgresql — apt-get install -y postgresql-15" >&2; exit 2; }
STATE_ROOT="${TMPDIR:-/tmp}/kuzet-pg"

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local watch="" fast="" tls="" client_certificates=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --watch-pid) watch="$2"; shift 2 ;;
            --fast) fast=1; shift ;;
            --tls) tls="$2"; shift 2 ;;
            --client-certificates) client_certificates=1; shift ;;
            *) echo "postgres.sh: unknown option $1 — use --watch-pid PID, --fast, --tls DIR or --client-certificates" >&2; exit 2 ;;
        esac
    done
    if [ -n "$tls" ]; then
        for file in server.pem server.key ca.pem; do
            [ -r "$tls/$file" ] || { echo "postgres.sh: --tls $tls has no $file" >&2; exit 2; }
        done
    elif [ -n "$client_certificates" ]; then
        echo "postgres.sh: --client-certificates needs --tls DIR" >&2; exit 2
    fi
    mkdir -p "$STATE_ROOT"; chmod 1777 "$STATE_ROOT"
    local dir; dir="$(mktemp -d "$STATE_ROOT/pg-XXXXXX")"
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -U kuzet -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    local options="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200 -c shared_buffers=128MB"
    [ -n "$fast" ] && options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if [ -n "$tls" ]; then
        # The server reads its key only if the key is its own and private.
        cp "$tls/server.pem" "$tls/server.key" "$tls/ca.pem" "$dir/"
        [ "$(id -u)" = 0 ] && chown postgres: "$dir/server.pem" "$dir/server.key" "$dir/ca.pem"
        chmod 600 "$dir/server.key"
        options="$options -c ssl=on -c ssl_cert_file=$dir/server.pem -c ssl_key_file=$dir/server.key -c ssl_ca_file=$dir/ca.pem"
        if [ -n "$client_certificates" ]; then
            printf 'local all all trust\nhostssl all all 127.0.0.1/32 cert\n' > "$dir/data/pg_hba.conf"
        fi
    fi
    local port tries=0
    while :; do
        port="$(free_port)"
        if as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "-p $port $options" start >/dev/null 2>&1; then break; fi
        tries=$((tries + 1))
        [ $tries -ge 3 ] && { echo "postgres.sh: server did not start — see $dir/server.log" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
    done
    echo "$port" > "$dir/port"
    if [ -n "$watch" ]; then
        # Detached watchdog: stops the server when the watched process ends.
        nohup setsid bash -c "while kill -0 $watch 2>/dev/null; do sleep 1; done; \"$(readlink -f "$0")\" stop \"$dir\"" </dev/null >/dev/null 2>&1 &
    fi
    echo "postgres.sh: server in $dir (stop with: $0 stop $dir)" >&2
    echo "postgres://kuzet@127.0.0.1:$port/postgres"
}

stop() {
    local target="${1:?postgres.sh stop needs the URL or the directory start printed}"
    local dir="$target"
    if [[ "$target" == postgres://* ]]; then
        local port="${target##*:}"; port="${port%%/*}"
        dir="$(grep -lx "$port" "$STATE_ROOT"/pg-*/port 2>/dev/null | head -1 | xargs -r dirname)"
        [ -n "$dir" ] || { echo "postgres.sh: no server of ours on port $port" >&2; exit 1; }
    fi
    [ -d "$dir/data" ] || { echo "postgres.sh: $dir is not a server directory" >&2; exit 1; }
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    *) echo "usage: $0 start [--watch-pid PID] [--fast] | stop URL_OR_DIR" >&2; exit 2 ;;
esac
