# shellcheck shell=bash
# A private PostgreSQL 15 for the PostgreSQL benchmarks (drain.sh, run.sh),
# on a free loopback port, stopped by pid. Source it, then:
#   start_pg DIR   initdb into DIR/data and start the server (sets PG=DIR, PORT, PGPID)
#   stop_pg        stop it (SIGINT: fast shutdown) and wait for its pid file to go
# initdb refuses to run as root: then the cluster belongs to the postgres user.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_pg() {
  PG=$1
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG"; fi
  as_pg "$PGBIN/initdb" -D "$PG/data" -U postgres --auth-local=trust --auth-host=trust --encoding=UTF8 --locale=C > "$PG/initdb.log" 2>&1
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$PGBIN/pg_ctl" start -w -D "$PG/data" -l "$PG/postgres.log" \
    -o "-p $PORT -k $PG -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=2GB" > /dev/null
  PGPID=$(head -1 "$PG/data/postmaster.pid")
}
stop_pg() { kill -INT "$PGPID" 2>/dev/null || true; while [ -f "$PG/data/postmaster.pid" ]; do sleep 0.1; done; }
