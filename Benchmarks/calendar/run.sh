#!/usr/bin/env bash
# Calendar and CBAM read costs on a year of the simulated fleet.
#
#   Benchmarks/calendar/run.sh [ROUNDS]
#
# Builds a database from `klaster simulate --dry-run --backfill 366d
# --backfill-interval 1h` (the whole fleet, 24 series, one reading per hour
# up to 2026-01-01), then times, ROUNDS times each and alternating:
#   A  query '**' --every 1d                (UTC: read from the stored 1d buckets)
#   B  query '**' --every 1d --tz Asia/Baku (local days: merged from 1h buckets)
#   C  cbam --year 2025                     (two goods, 8 760 hourly slots per stream)
# and prints the median wall time of each. KLASTER_BIN picks the binary
# (default .build/release/klaster).
set -euo pipefail
ROUNDS=${1:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KLASTER_BIN:-$ROOT/.build/release/klaster}
WORK=$(mktemp -d /tmp/klaster-calendar-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

sed -n '/^\[quantities.ammonia_t\]/,/^unit/p' "$ROOT/deploy/klaster.example.toml" > "$WORK/k.toml"
sed -n '/^\[\[cbam.goods\]\]/,$p' "$ROOT/deploy/klaster.example.toml" | sed -n '/^\[\[cbam.goods\]\]/,$p' >> "$WORK/k.toml"

"$BIN" simulate --dry-run --now 2026-01-01T00:00:00Z --backfill 366d --backfill-interval 1h --seed 1 2>/dev/null |
  awk 'BEGIN { print "series,ts,value" }
       { split($1, t, "/"); p = $2
         match(p, /"ts":[^,]*/); ts = substr(p, RSTART + 5, RLENGTH - 5); gsub(/"/, "", ts)
         match(p, /"v":[^,}]*/); v = substr(p, RSTART + 4, RLENGTH - 4)
         print t[2] "/" t[3] "/" t[4] "," ts "," v }' > "$WORK/year.csv"
"$BIN" import --config "$WORK/k.toml" --db "$WORK/k.db" "$WORK/year.csv" >&2

ms() { local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
A=(); B=(); C=()
for _ in $(seq "$ROUNDS"); do
  A+=("$(ms "$BIN" query '**' --from 2025-01-01T00:00:00Z --to 2026-01-01T00:00:00Z --every 1d --format csv --config "$WORK/k.toml" --db "$WORK/k.db")")
  B+=("$(ms "$BIN" query '**' --from 2025-01-01T00:00:00Z --to 2026-01-01T00:00:00Z --every 1d --tz Asia/Baku --format csv --config "$WORK/k.toml" --db "$WORK/k.db")")
  C+=("$(ms "$BIN" cbam --year 2025 --now 2026-01-02T00:00:00Z --format json --config "$WORK/k.toml" --db "$WORK/k.db")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "rows: $(wc -l < "$WORK/year.csv") readings"
echo "A query --every 1d (UTC)            median $(median "${A[@]}") ms  (${A[*]})"
echo "B query --every 1d --tz Asia/Baku   median $(median "${B[@]}") ms  (${B[*]})"
echo "C cbam --year 2025                  median $(median "${C[@]}") ms  (${C[*]})"
"$BIN" cbam --year 2025 --now 2026-01-02T00:00:00Z --format csv --config "$WORK/k.toml" --db "$WORK/k.db" | cut -d, -f1,5,11-14
