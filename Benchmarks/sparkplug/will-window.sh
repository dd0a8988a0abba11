#!/usr/bin/env bash
# The Sparkplug loss window: how long after Klaster dies does an edge node
# learn it (the broker publishing Klaster's will, STATE online:false)? Until
# then an edge keeps publishing QoS 0 DATA that no host receives.
#   1. SIGKILL (crash, OOM): the kernel closes the socket, the broker sees EOF.
#   2. SIGSTOP (a hung host, a dead link: nothing closes the socket): the broker
#      waits for 1.5 × keepalive without a packet (MQTT 3.1.1 §3.1.2.10).
# Each case ROUNDS times; prints the milliseconds from the signal to the
# STATE offline arriving at a subscriber on the same broker.
#
# Usage: Benchmarks/sparkplug/will-window.sh [ROUNDS] [KEEPALIVE_SECONDS]
#   env: KLASTER_BIN (default .build/debug/klaster)
set -euo pipefail
ROUNDS=${1:-3}
KEEPALIVE=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KLASTER_BIN:-$ROOT/.build/debug/klaster}
WORK=$(mktemp -d /tmp/klaster-spwill.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n' "$PORT" > "$WORK/mosquitto.conf"
/usr/sbin/mosquitto -c "$WORK/mosquitto.conf" &
PIDS+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done

cat > "$WORK/klaster.toml" <<TOML
[mqtt]
url = "mqtt://127.0.0.1:$PORT"
client_id = "spwill-klaster"
topics = []
keepalive = $KEEPALIVE
[http]
listen = ""
[sparkplug]
host_id = "klaster"
groups = ["+"]
TOML

now_ms() { date +%s%3N; }
# Waits until the retained STATE says online (or offline); prints the arrival time.
wait_state() {
  local want=$1 pid=$2
  while true; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "klaster ingest exited:" >&2; cat "$WORK/ingest.log" >&2; exit 1; fi
    local line
    line=$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -t spBv1.0/STATE/klaster -C 1 -W 2 2>/dev/null || true)
    if [[ $line == *"\"online\":$want"* ]]; then now_ms; return; fi
    sleep 0.001
  done
}

run_case() {
  local sig=$1
  for r in $(seq "$ROUNDS"); do
    rm -f "$WORK/klaster.db"*
    "$BIN" ingest --config "$WORK/klaster.toml" --db "$WORK/klaster.db" 2>"$WORK/ingest.log" &
    local pid=$!
    PIDS+=($pid)
    wait_state true "$pid" >/dev/null
    # A live subscriber (-R: no retained messages) sees the will the moment the broker publishes it.
    rm -f "$WORK/offline"
    (mosquitto_sub -h 127.0.0.1 -p "$PORT" -t spBv1.0/STATE/klaster -R -C 1 -W 60 >/dev/null && now_ms > "$WORK/offline") &
    local watcher=$!
    sleep 0.3   # let the watcher subscribe
    local t0
    t0=$(now_ms)
    kill -"$sig" "$pid"
    wait "$watcher" || true
    local t1
    t1=$(cat "$WORK/offline")
    echo "$sig round $r: will after $((t1 - t0)) ms (keepalive ${KEEPALIVE}s)"
    kill -CONT "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
run_case KILL
run_case STOP
