#!/usr/bin/env bash
# Memory over a live run: `klaster ingest` (release) on a private loopback
# broker, fed by fleetpub in real time — every series once a second,
# interleaved, like a fleet. Samples ingest's RSS (and the database size)
# every SAMPLE seconds and reports the trend after the warm-up: the slope of
# a least-squares line through the samples, and their min/max.
#
# Usage: Benchmarks/e2e/rss.sh [DURATION_S=600] [SERIES=10000] [WARMUP_S=120]
#   env: KLASTER_BIN (default .build/release/klaster, built if missing), SAMPLE (10 s), KEEP=1
# RSS grows while SQLite's page cache (PRAGMA cache_size in the store) fills
# with the database; "flat" means no growth once it is full.
set -euo pipefail
DURATION=${1:-600}; SERIES=${2:-10000}; WARMUP=${3:-120}; SAMPLE=${SAMPLE:-10}
BENCH_NAME=rss
# shellcheck source=Benchmarks/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
start_broker
klaster_config bench-rss "$WORK/k.toml"
"$BIN" ingest --config "$WORK/k.toml" --db "$WORK/r.db" 2> "$WORK/ingest.log" & INGEST=$!; STOP_PIDS=("$INGEST")
deadline=$((SECONDS + 30))
until grep -q subscribed "$WORK/ingest.log"; do
  if (( SECONDS > deadline )) || ! kill -0 "$INGEST" 2>/dev/null; then echo "rss.sh: ingest did not subscribe (see $WORK/ingest.log)" >&2; KEEP=1; exit 69; fi
  sleep 0.1
done
"$WORK/fleetpub" live 127.0.0.1 "$PORT" "$SERIES" "$DURATION" > "$WORK/pub.log" 2>&1 & PUB=$!; STOP_PIDS=("$PUB" "$INGEST")

echo "# $(date -u +%FT%TZ) live fleet: $SERIES series at 1 Hz ($SERIES msg/s) for $DURATION s; host load $(load)"
messages() { "$BIN" stats --db "$WORK/r.db" --format json 2>/dev/null | sed -n 's/.*"messages":\([0-9]*\).*/\1/p' | head -1; }
dbsize() { stat -c %s "$WORK"/r.db* 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
: > "$WORK/samples"
t0=$SECONDS
while kill -0 "$PUB" 2>/dev/null; do
  t=$((SECONDS - t0))
  rss=$(awk '/VmRSS/{print $2}' "/proc/$INGEST/status")
  echo "$t $rss $(dbsize)" >> "$WORK/samples"
  committed=""
  # once a minute: how far ingest has committed (it should keep up with the fleet)
  if (( t % 60 < SAMPLE )); then committed=" committed=$(messages)"; fi
  printf 't=%4ds rss=%6.1f MB db+wal=%6.1f MB%s\n' "$t" "$(echo "$rss / 1024" | bc -l)" "$(echo "$(dbsize) / 1048576" | bc -l)" "$committed"
  sleep "$SAMPLE"
done
wait "$PUB"; STOP_PIDS=("$INGEST")
cat "$WORK/pub.log"
# Let ingest commit what is still queued, then stop it the way systemd does.
published=$(awk '/^published/{print $2}' "$WORK/pub.log")
deadline=$((SECONDS + 120))
while (( SECONDS < deadline )); do
  got=$(messages)
  [[ ${got:-0} -ge $published ]] && break
  sleep 1
done
kill -TERM "$INGEST"; rc=0; wait "$INGEST" || rc=$?; STOP_PIDS=()
echo "ingest exit $rc; stats: $("$BIN" stats --db "$WORK/r.db" --format json | head -1)"
awk -v w="$WARMUP" '$1 >= w { n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
  END { if (n < 2) { print "too few samples after the warm-up"; exit }
        slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
        printf "after %d s warm-up (%d samples): RSS %.1f .. %.1f MB, trend %+.2f MB/min\n", w, n, min / 1024, max / 1024, slope * 60 / 1024 }' "$WORK/samples"
