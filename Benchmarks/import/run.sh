#!/usr/bin/env bash
# Import and query benchmarks of KlasterStore (see README.md for results).
#
#   Benchmarks/import/run.sh [ROUNDS]
#
# Needs a release build (`swift build -c release --product klaster`) and the
# sqlite3 shell. Work files go to $BENCH_DIR (default /tmp/klaster-bench-import).
# Runs A B A B … in the same session and prints each time plus the medians.
# QUERY=0 skips the query benchmarks (they build a 8.76 M-row database once).
# KLASTER_BEFORE=path adds the import of another build to every round (before/after in one run).
set -euo pipefail
ROUNDS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
K=${KLASTER_BIN:-$ROOT/.build/release/klaster}
D=${BENCH_DIR:-/tmp/klaster-bench-import}
mkdir -p "$D"
N=1000000; S=2000
[ -f "$D/readings.csv" ] || python3 "$ROOT/Benchmarks/import/gen.py" readings "$D/readings.csv" $N $S
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "# $(date -u +%FT%TZ) host load: $(uptime | sed 's/.*load average: //')"
echo "== import: $N readings over $S series (raw + 1m/15m/1h/1d buckets) vs sqlite3 .import into (series TEXT, ts) key"
: > "$D/klaster.times"; : > "$D/shell.times"; : > "$D/before.times"
B=${KLASTER_BEFORE:-}
for r in $(seq 1 "$ROUNDS"); do
  if [ -n "$B" ]; then
    rm -f "$D"/b.db*
    t=$(now); "$B" import --db "$D/b.db" "$D/readings.csv" 2>/dev/null; e=$(now)
    echo "$e - $t" | bc -l >> "$D/before.times"
    printf 'round %d: klaster before (%s) %.2fs\n' "$r" "$B" "$(tail -1 "$D/before.times")"
  fi
  rm -f "$D"/k.db*
  t=$(now); "$K" import --db "$D/k.db" "$D/readings.csv" 2>/dev/null; e=$(now)
  echo "$e - $t" | bc -l >> "$D/klaster.times"
  rm -f "$D"/s.db*
  t=$(now)
  sqlite3 "$D/s.db" <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
CREATE TABLE r (series TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) STRICT;
.mode csv
.import --skip 1 $D/readings.csv r
SQL
  e=$(now)
  echo "$e - $t" | bc -l >> "$D/shell.times"
  printf 'round %d: klaster %.2fs  sqlite3 .import %.2fs\n' "$r" "$(tail -1 "$D/klaster.times")" "$(tail -1 "$D/shell.times")"
done
km=$(median < "$D/klaster.times"); sm=$(median < "$D/shell.times")
printf 'median: klaster import %.2fs (%.0f rows/s)  sqlite3 .import %.2fs (%.0f rows/s)  ratio %.2fx\n' \
  "$km" "$(echo "$N / $km" | bc -l)" "$sm" "$(echo "$N / $sm" | bc -l)" "$(echo "$km / $sm" | bc -l)"
"$K" stats --db "$D/k.db" --format json
if [ -n "$B" ]; then
  bm=$(median < "$D/before.times")
  printf 'median: klaster before %.2fs, ratio to the shell %.2fx; after / before %.2fx\n' "$bm" "$(echo "$bm / $sm" | bc -l)" "$(echo "$km / $bm" | bc -l)"
  "$B" stats --db "$D/b.db" --format json
fi
if [ "${QUERY:-1}" = 0 ]; then echo "# done $(date -u +%FT%TZ) host load: $(uptime | sed 's/.*load average: //')"; exit 0; fi

echo "== query: one year of hourly buckets of 100 series vs GROUP BY over raw rows"
# 100 series x 8760 hourly readings... built once: one reading per series per 6 minutes for a year.
if [ ! -f "$D/year.db" ]; then
  python3 - "$D/year.csv" <<'PY'
import sys
t0 = 1_735_689_600_000  # 2025-01-01T00:00:00Z
with open(sys.argv[1], "w") as f:
    f.write("series,ts,value\n")
    for step in range(365 * 24 * 10):          # every 6 minutes
        for s in range(100):
            f.write(f"yr/m{s}/active_power_kw,{t0 + step * 360_000 + s},{(step * 7 + s) % 97}\n")
PY
  "$K" import --db "$D/year.db" "$D/year.csv" 2>/dev/null
fi
FROM=2025-01-01T00:00:00Z; TO=2026-01-01T00:00:00Z
: > "$D/q.times"; : > "$D/raw.times"
for r in $(seq 1 "$ROUNDS"); do
  t=$(now); "$K" query --db "$D/year.db" 'yr/*/active_power_kw' --from $FROM --to $TO --every 1h --format csv > "$D/q.out"; e=$(now)
  echo "$e - $t" | bc -l >> "$D/q.times"
  t=$(now)
  sqlite3 "$D/year.db" "SELECT s.key, r.ts / 3600000 * 3600000 AS start, count(*), min(value), max(value), sum(value), avg(value)
    FROM readings r JOIN series s ON s.id = r.series WHERE s.key GLOB 'yr/*/active_power_kw' AND r.ts >= 1735689600000 AND r.ts < 1767225600000
    GROUP BY r.series, start ORDER BY s.key, start" > "$D/raw.out"
  e=$(now)
  echo "$e - $t" | bc -l >> "$D/raw.times"
  printf 'round %d: klaster query %.3fs  GROUP BY raw %.3fs\n' "$r" "$(tail -1 "$D/q.times")" "$(tail -1 "$D/raw.times")"
done
qm=$(median < "$D/q.times"); rm_=$(median < "$D/raw.times")
printf 'median: klaster query %.3fs (%d rows)  GROUP BY raw %.3fs  speedup %.0fx\n' "$qm" "$(($(wc -l < "$D/q.out") - 1))" "$rm_" "$(echo "$rm_ / $qm" | bc -l)"

echo "== query: one series, one year of hourly buckets (8760 rows) vs GROUP BY over its raw rows"
: > "$D/q1.times"; : > "$D/raw1.times"
for r in $(seq 1 "$ROUNDS"); do
  t=$(now); "$K" query --db "$D/year.db" 'yr/m7/active_power_kw' --from $FROM --to $TO --every 1h --format csv > "$D/q1.out"; e=$(now)
  echo "$e - $t" | bc -l >> "$D/q1.times"
  t=$(now)
  sqlite3 "$D/year.db" "SELECT r.ts / 3600000 * 3600000 AS start, count(*), min(value), max(value), sum(value), avg(value)
    FROM readings r WHERE r.series = (SELECT id FROM series WHERE key = 'yr/m7/active_power_kw')
    AND r.ts >= 1735689600000 AND r.ts < 1767225600000 GROUP BY start ORDER BY start" > "$D/raw1.out"
  e=$(now)
  echo "$e - $t" | bc -l >> "$D/raw1.times"
  printf 'round %d: klaster query %.3fs  GROUP BY raw %.3fs\n' "$r" "$(tail -1 "$D/q1.times")" "$(tail -1 "$D/raw1.times")"
done
qm=$(median < "$D/q1.times"); rm_=$(median < "$D/raw1.times")
printf 'median: klaster query %.3fs (%d rows)  GROUP BY raw %.3fs  speedup %.1fx\n' "$qm" "$(($(wc -l < "$D/q1.out") - 1))" "$rm_" "$(echo "$rm_ / $qm" | bc -l)"
t=$(now); "$K" --help > /dev/null; e=$(now); printf 'process start (klaster --help): %.3fs\n' "$(echo "$e - $t" | bc -l)"
