#!/usr/bin/env bash
# End-to-end drain benchmark: how fast does a persistent-session backlog of
# QoS 1 readings drain into `mosquitto_sub` (receive only: the limit) versus
# `klaster ingest --max-messages N` (parse, aggregate, commit to SQLite, then
# acknowledge)? Same private broker, same stream, alternating A B A B.
#
# Usage: Benchmarks/e2e/run.sh [MESSAGES_PER_ROUND] [ROUNDS]
#   env: KLASTER_BIN (default .build/release/klaster, built if missing),
#        SERIES (default 200 topics), INFLIGHT (broker max_inflight_messages, default 1000)
set -euo pipefail

N=${1:-200000}
ROUNDS=${2:-2}
SERIES=${SERIES:-200}
INFLIGHT=${INFLIGHT:-1000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KLASTER_BIN:-$ROOT/.build/release/klaster}
if [[ ! -x $BIN ]]; then
  (cd "$ROOT" && swift build -c release --product klaster)
fi

WORK=$(mktemp -d /tmp/klaster-e2e.XXXXXX)
BROKER_PID=""
cleanup() {
  if [[ -n $BROKER_PID ]]; then kill "$BROKER_PID" 2>/dev/null || true; wait "$BROKER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cat > "$WORK/mosquitto.conf" <<CONF
user root
listener $PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $WORK/
autosave_interval 3600
max_queued_messages 0
max_inflight_messages $INFLIGHT
log_dest stderr
log_type error
CONF
/usr/sbin/mosquitto -c "$WORK/mosquitto.conf" 2>"$WORK/mosquitto.log" &
BROKER_PID=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done

cat > "$WORK/klaster.toml" <<TOML
[mqtt]
url = "mqtt://127.0.0.1:$PORT"
client_id = "bench-klaster"
topics = ["nextgen/#"]
qos = 1
[http]
listen = ""
TOML

# Register both persistent sessions (subscribe, then leave): from now on the
# broker queues every message for each of them.
mosquitto_sub -h 127.0.0.1 -p "$PORT" -i bench-sub -c -q 1 -t 'nextgen/#' -E
mosquitto_sub -h 127.0.0.1 -p "$PORT" -i bench-klaster -c -q 1 -t 'nextgen/#' -E

# One round's stream: SERIES topics × (N / SERIES) readings at 1 Hz, counters
# and gauges, JSON payloads, published by parallel `mosquitto_pub -l` (QoS 1).
publish_round() {
  local round=$1
  local per=$((N / SERIES))
  local base=$(( ( $(date +%s) - 86400 * 2 ) * 1000 + round * per * 1000 ))
  seq 0 $((SERIES - 1)) | xargs -P 4 -I{} bash -c '
    s={}; plant=$(( s % 2 == 0 )) ; p=$([ $plant = 1 ] && echo socar-polymer || echo socar-karbamid)
    q=$([ $((s % 3)) = 0 ] && echo active_energy_kwh || echo active_power_kw)
    awk -v per='"$per"' -v base='"$base"' -v s="$s" '"'"'BEGIN { v = s * 1000; for (i = 0; i < per; i++) { v += 1.5 + (i % 7) * 0.1; printf "{\"ts\":%.0f,\"v\":%.3f}\n", base + i * 1000, v } }'"'"' |
      mosquitto_pub -h 127.0.0.1 -p '"$PORT"' -q 1 -t "nextgen/$p/m$s/$q" -l'
}

now() { date +%s.%N; }
field() { grep -F "$1" "$2" | awk -F': ' '{print $2}'; }

printf "%-5s %-14s %9s %10s %12s %12s %10s\n" round consumer messages seconds msg_per_s cpu_s_per_M peak_rss_kB
declare -a RATE_SUB RATE_KL CPU_SUB CPU_KL
for r in $(seq 1 "$ROUNDS"); do
  publish_round "$r"
  # A: mosquitto_sub drains its backlog.
  t0=$(now)
  /usr/bin/time -v -o "$WORK/time.sub" mosquitto_sub -h 127.0.0.1 -p "$PORT" -i bench-sub -c -q 1 -t 'nextgen/#' -C "$N" >/dev/null
  t1=$(now)
  # B: klaster ingest drains the same backlog (fresh database each round).
  rm -f "$WORK/bench.db"*
  t2=$(now)
  /usr/bin/time -v -o "$WORK/time.kl" "$BIN" ingest --config "$WORK/klaster.toml" --db "$WORK/bench.db" --max-messages "$N" 2>"$WORK/ingest.log"
  t3=$(now)
  for who in sub kl; do
    f=$WORK/time.$who
    if [[ $who = sub ]]; then secs=$(echo "$t1 - $t0" | bc -l); name=mosquitto_sub; else secs=$(echo "$t3 - $t2" | bc -l); name="klaster ingest"; fi
    cpu=$(echo "$(field 'User time' "$f") + $(field 'System time' "$f")" | bc -l)
    rss=$(field 'Maximum resident set size' "$f")
    rate=$(echo "$N / $secs" | bc -l)
    cpum=$(echo "$cpu * 1000000 / $N" | bc -l)
    printf "%-5s %-14s %9d %10.2f %12.0f %12.2f %10d\n" "$r" "$name" "$N" "$secs" "$rate" "$cpum" "$rss"
    if [[ $who = sub ]]; then RATE_SUB+=("$rate"); CPU_SUB+=("$cpum"); else RATE_KL+=("$rate"); CPU_KL+=("$cpum"); fi
  done
done

median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms=$(median "${RATE_SUB[@]}"); mk=$(median "${RATE_KL[@]}")
cs=$(median "${CPU_SUB[@]}"); ck=$(median "${CPU_KL[@]}")
printf "\nmedian mosquitto_sub %.0f msg/s, klaster ingest %.0f msg/s, ratio %.2f (goal >= 0.90)\n" "$ms" "$mk" "$(echo "$mk / $ms" | bc -l)"
printf "median CPU s per million messages: mosquitto_sub %.2f, klaster ingest %.2f, ratio %.2f (goal <= 2)\n" "$cs" "$ck" "$(echo "if ($cs > 0) $ck / $cs else 0" | bc -l)"
"$BIN" stats --db "$WORK/bench.db" --format json 2>/dev/null | head -1 || true
