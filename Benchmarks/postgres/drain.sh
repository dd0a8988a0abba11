#!/usr/bin/env bash
# Drain benchmark into PostgreSQL: Benchmarks/e2e/run.sh with its consumers
# mosquitto_sub, klaster ingest (SQLite) and klaster ingest into a private
# PostgreSQL 15 that this script starts on a free loopback port and stops by pid.
#
#   Benchmarks/postgres/drain.sh [MESSAGES=240000] [ROUNDS=2]   (SERIES_LIST default 2000)
#   KLASTER_BEFORE=old/klaster CONSUMERS="sub postgres pgbefore" Benchmarks/postgres/drain.sh …
#   compares two builds on PostgreSQL in the same run.
#   INGESTERS=3 Benchmarks/postgres/drain.sh …   also three ingesters in one shared
#     group into one database (consumer postgres3), alternating with one
#     (FINALIZE_PERIOD_MS: their finalising period, default 5000: the drain
#     runs 120 s of fleet data in about 10 s, so that is about one step per
#     minute of data, as in production)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=Benchmarks/postgres/lib.sh
. "$ROOT/Benchmarks/postgres/lib.sh"
start_pg "$(mktemp -d /tmp/klaster-drain-pg.XXXXXX)"
trap 'stop_pg; rm -rf "$PG"' EXIT
export KLASTER_PG_URL="postgresql://postgres@127.0.0.1:$PORT/bench"
export DRAIN_PSQL="$PGBIN/psql -X -q -h $PG -p $PORT -U postgres -d postgres"
export KLASTER_PG_SQL="$PGBIN/psql -X -q -A -t -h $PG -p $PORT -U postgres -d bench"
reset_db() { $DRAIN_PSQL -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'; }
export -f reset_db
export KLASTER_PG_RESET=reset_db
DEFAULT_CONSUMERS="sub klaster postgres"
[[ ${INGESTERS:-1} = 3 ]] && DEFAULT_CONSUMERS="sub postgres postgres3"
SERIES_LIST=${SERIES_LIST:-2000} CONSUMERS=${CONSUMERS:-$DEFAULT_CONSUMERS} "$ROOT/Benchmarks/e2e/run.sh" "${1:-240000}" "${2:-2}"
