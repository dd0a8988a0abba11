#!/usr/bin/env bash
# `klaster report` against databases of S series (3 hourly readings each):
# wall time and peak RSS per size, alternating sizes (A B A B), to show how
# the report grows with the number of series.
#
# Usage: Benchmarks/e2e/report-scale.sh [SIZES…]   (default 5000 20000)
#   env: KLASTER_BIN (default .build/release/klaster, built if missing), ROUNDS (default 2)
set -euo pipefail

SIZES=("${@:-5000 20000}")
read -r -a SIZES <<< "${SIZES[*]}"
ROUNDS=${ROUNDS:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KLASTER_BIN:-$ROOT/.build/release/klaster}
if [[ ! -x $BIN ]]; then
  (cd "$ROOT" && swift build -c release --product klaster)
fi
WORK=$(mktemp -d /tmp/klaster-report-scale.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

for s in "${SIZES[@]}"; do
  awk -v n="$s" 'BEGIN { print "series,ts,value"; for (i = 0; i < n; i++) for (h = 0; h < 3; h++)
    printf "p/m%d/active_energy_kwh,2026-03-01T%02d:30:00Z,%d\n", i, 10 + h, 100 + h * 10 }' > "$WORK/$s.csv"
  "$BIN" import --db "$WORK/$s.db" "$WORK/$s.csv" 2>/dev/null
done
printf "%-6s %-8s %10s %12s\n" round series seconds peak_rss_kB
for r in $(seq 1 "$ROUNDS"); do
  for s in "${SIZES[@]}"; do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" report --db "$WORK/$s.db" --out "$WORK/r.html" --now 2026-03-01T14:00:00Z
    read -r secs rss < "$WORK/time"
    printf "%-6s %-8s %10s %12s\n" "$r" "$s" "$secs" "$rss"
  done
done
