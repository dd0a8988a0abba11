#!/usr/bin/env bash
# Memory over time: `klaster ingest` (release) fed live by `klaster simulate`
# on a private broker; prints RSS and database size once a minute.
# Usage: Benchmarks/e2e/rss.sh [DURATION_S=1500] [RATE=2000] [METERS=200]
# Expect RSS to grow with the database until SQLite's page cache (64 MiB,
# PRAGMA cache_size in KlasterStore) is full, then stay flat.
set -euo pipefail
DURATION=${1:-1500}; RATE=${2:-2000}; METERS=${3:-200}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KLASTER_BIN:-$ROOT/.build/release/klaster}
[ -x "$BIN" ] || (cd "$ROOT" && swift build -c release --product klaster)
WORK=$(mktemp -d /tmp/klaster-rss.XXXXXX); cd "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 1000\n' "$PORT" > m.conf
[ "$(id -u)" = 0 ] && echo "user root" >> m.conf
mosquitto -c m.conf 2>/dev/null & BROKER=$!
trap 'kill $BROKER 2>/dev/null || true' EXIT
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
printf '[mqtt]\nurl = "mqtt://127.0.0.1:%s"\nclient_id = "rss"\n[http]\nlisten = ""\n' "$PORT" > k.toml
"$BIN" ingest --config k.toml --db r.db 2> ingest.log & INGEST=$!
until grep -q subscribed ingest.log; do sleep 0.1; done
"$BIN" simulate --config k.toml --meters "$METERS" --rate "$RATE" --duration "${DURATION}s" > sim.log 2>&1 & SIM=$!
sample() { echo "t=${1}s rss_kB=$(awk '/VmRSS/{print $2}' /proc/$INGEST/status) db_bytes=$(stat -c %s r.db)"; }
sample 0
for i in $(seq 1 $((DURATION / 60))); do sleep 60; sample $((i * 60)); done
wait $SIM
kill -TERM $INGEST; wait $INGEST; echo "ingest exit=$?"
"$BIN" stats --db r.db --format json
echo "work files: $WORK"
