#!/usr/bin/env bash
# PostgreSQL store benchmarks (results in README, Performance):
#
#   Benchmarks/postgres/run.sh [ROUNDS]      (PARTS="import bulk" by default)
#
#   import  `klaster import` of 1 M CSV readings over 2,000 series (raw rows,
#           final buckets of 1m/15m/1h/1d, counters) into an empty PostgreSQL
#           database  vs  `psql \copy` of the same rows into a bare
#           (series text, ts bigint, value float8, PRIMARY KEY (series, ts)) table.
#   bulk    the store's write path: the same 1 M raw rows as multi-row
#           INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING in batches of
#           5,000 (what klaster sends)  vs  COPY into a staging table + INSERT …
#           SELECT … ON CONFLICT DO NOTHING per batch (what COPY would need to
#           skip duplicates).
#
# Starts a private PostgreSQL 15 on a free loopback port in $BENCH_DIR (as the
# postgres user when run as root) and stops it by pid on exit. Needs a release
# build (`swift build -c release --product klaster`; KLASTER_BIN names another).
# Runs A B A B … and prints each time and the medians; with KLASTER_BEFORE set
# (another build's binary) the import part also times that build each round.
set -euo pipefail
ROUNDS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
K=${KLASTER_BIN:-$ROOT/.build/release/klaster}
D=${BENCH_DIR:-/tmp/klaster-bench-postgres}
N=1000000; S=2000
mkdir -p "$D"
[ -f "$D/readings.csv" ] || python3 "$ROOT/Benchmarks/import/gen.py" readings "$D/readings.csv" $N $S
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# shellcheck source=Benchmarks/postgres/lib.sh
. "$ROOT/Benchmarks/postgres/lib.sh"
rm -rf "$D/pg"; mkdir -p "$D/pg"
start_pg "$D/pg"
trap stop_pg EXIT
psql() { "$PGBIN/psql" -X -q -h "$PG" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
fresh() { psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }
URL="postgresql://postgres@127.0.0.1:$PORT/bench"

PARTS=${PARTS:-import bulk}
if [[ " $PARTS " == *" import "* ]]; then
echo "== import: $N readings over $S series into PostgreSQL (raw + 1m/15m/1h/1d buckets) vs psql \\copy into (series, ts)-keyed table"
: > "$D/klaster.times"; : > "$D/copy.times"; : > "$D/before.times"
for r in $(seq 1 "$ROUNDS"); do
  fresh bench
  t=$(now); "$K" import --db "$URL" "$D/readings.csv" 2>/dev/null; e=$(now)
  echo "$e - $t" | bc -l >> "$D/klaster.times"
  fresh bare
  psql -d bare -c "CREATE TABLE r (series text NOT NULL, ts bigint NOT NULL, value double precision NOT NULL, PRIMARY KEY (series, ts))"
  t=$(now); psql -d bare -c "\\copy r FROM '$D/readings.csv' WITH (FORMAT csv, HEADER true)"; e=$(now)
  echo "$e - $t" | bc -l >> "$D/copy.times"
  printf 'round %d: klaster import %.2fs  psql \\copy %.2fs' "$r" "$(tail -1 "$D/klaster.times")" "$(tail -1 "$D/copy.times")"
  if [ -n "${KLASTER_BEFORE:-}" ]; then
    fresh before
    t=$(now); "$KLASTER_BEFORE" import --db "${URL%/bench}/before" "$D/readings.csv" 2>/dev/null; e=$(now)
    echo "$e - $t" | bc -l >> "$D/before.times"
    printf '  before %.2fs' "$(tail -1 "$D/before.times")"
  fi
  echo
done
km=$(median < "$D/klaster.times"); cm=$(median < "$D/copy.times")
printf 'median: klaster import %.2fs (%.0f rows/s)  psql \\copy %.2fs (%.0f rows/s)  ratio %.2fx\n' \
  "$km" "$(echo "$N / $km" | bc -l)" "$cm" "$(echo "$N / $cm" | bc -l)" "$(echo "$km / $cm" | bc -l)"
if [ -n "${KLASTER_BEFORE:-}" ]; then
  bm=$(median < "$D/before.times")
  printf 'median: before (%s) %.2fs, ratio to psql \\copy %.2fx; after / before %.2fx\n' "$KLASTER_BEFORE" "$bm" \
    "$(echo "$bm / $cm" | bc -l)" "$(echo "$km / $bm" | bc -l)"
fi
"$K" stats --db "$URL" --format json
fi

[[ " $PARTS " == *" bulk "* ]] || exit 0
echo "== bulk write path: unnest(…) ON CONFLICT vs COPY + staging, 1 M rows in batches of 5,000"
fresh bulk
psql -d bulk -c "CREATE TABLE r (ts bigint, series integer, value float8, PRIMARY KEY (ts, series))"
# The same rows as klaster sends them (array literals, one statement per batch) and as COPY would.
python3 - "$D" $N <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
rows = [(1767225600000 + (g // 2000) * 10000 + g % 2000, g % 2000, g * 0.5) for g in range(n)]
with open(f"{d}/unnest.sql", "w") as u, open(f"{d}/copy.sql", "w") as c:
    c.write("CREATE TEMP TABLE st (ts bigint, series integer, value float8);\n")
    for b in range(0, n, 5000):
        part = rows[b:b + 5000]
        ts, se, va = ("{" + ",".join(str(r[k]) for r in part) + "}" for k in range(3))
        u.write(f"INSERT INTO r SELECT * FROM unnest('{ts}'::bigint[], '{se}'::integer[], '{va}'::float8[]) ON CONFLICT DO NOTHING;\n")
        c.write("BEGIN;\nTRUNCATE st;\nCOPY st FROM STDIN;\n")
        c.write("".join(f"{r[0]}\t{r[1]}\t{r[2]}\n" for r in part))
        c.write("\\.\nINSERT INTO r SELECT * FROM st ON CONFLICT DO NOTHING;\nCOMMIT;\n")
PY
: > "$D/unnest.times"; : > "$D/stage.times"
for r in $(seq 1 "$ROUNDS"); do
  psql -d bulk -c "TRUNCATE r"
  t=$(now); psql -d bulk -f "$D/unnest.sql" > /dev/null; e=$(now); echo "$e - $t" | bc -l >> "$D/unnest.times"
  psql -d bulk -c "TRUNCATE r"
  t=$(now); psql -d bulk -f "$D/copy.sql" > /dev/null; e=$(now); echo "$e - $t" | bc -l >> "$D/stage.times"
  printf 'round %d: unnest %.2fs  COPY+staging %.2fs\n' "$r" "$(tail -1 "$D/unnest.times")" "$(tail -1 "$D/stage.times")"
done
printf 'median: unnest %.2fs  COPY+staging %.2fs\n' "$(median < "$D/unnest.times")" "$(median < "$D/stage.times")"
