#!/usr/bin/env bash
# Klaster demo: the whole pipeline on this machine, nothing left running.
#
#   private mosquitto (free 127.0.0.1 port) ─▶ klaster ingest ─▶ SQLite
#   klaster simulate --backfill (year to date, hourly) + a short live phase ─▶ mosquitto
#   then: series, query, emissions, targets, cbam, check, report (HTML)
#
# Everything goes to ./demo-out/ (DEMO_OUT): broker config and persistence,
# klaster.toml, klaster.db, logs, report.html. `make demo` installs what is
# missing and builds first; this script builds too unless DEMO_SKIP_BUILD=1.
#
# Knobs (environment): DEMO_OUT, DEMO_BACKFILL (default: since 1 January UTC,
# at least 7d), DEMO_INTERVAL (backfill interval, default 1h), DEMO_LIVE (live
# phase, default 10s), DEMO_RATE (live readings/s, default 200), DEMO_SEED,
# KLASTER_BIN (default .build/debug/klaster), DEMO_TIMEOUT (s to wait for
# ingest to commit everything, default 300), DEMO_STORE (sqlite, the default,
# or postgres: a private PostgreSQL 15 in $DEMO_OUT/postgres on a free
# loopback port, started and stopped by the script).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${DEMO_OUT:-./demo-out}
BIN=${KLASTER_BIN:-.build/debug/klaster}
INTERVAL=${DEMO_INTERVAL:-1h}
LIVE=${DEMO_LIVE:-10s}
RATE=${DEMO_RATE:-200}
SEED=${DEMO_SEED:-2026}
TIMEOUT=${DEMO_TIMEOUT:-300}
MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}

t_start=$(date +%s)
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
elapsed() { echo "$(( $(date +%s) - t_start ))s"; }

if [ -z "${DEMO_BACKFILL:-}" ]; then
  since_jan1=$(( $(date -u +%s) - $(date -u -d "$(date -u +%Y)-01-01" +%s) ))
  [ "$since_jan1" -lt $((7 * 86400)) ] && since_jan1=$((7 * 86400))
  DEMO_BACKFILL="${since_jan1}s"
fi

if [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
  say "build (swift build, debug: the fastest build on 2 cores)"
  swift build --product klaster
fi
[ -x "$BIN" ] || { echo "demo: $BIN not found (build first)" >&2; exit 66; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

rm -rf "$OUT"
mkdir -p "$OUT/mosquitto"
OUT=$(cd "$OUT" && pwd)

# Everything started here is stopped on exit, by pid.
PIDS=()
# Running, and not a zombie waiting to be reaped.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
cleanup() {
  local rc=$?
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    local p=${PIDS[i]}
    if alive "$p"; then
      kill -TERM "$p" 2>/dev/null || true
      for _ in $(seq 1 100); do alive "$p" || break; sleep 0.1; done
      alive "$p" && kill -KILL "$p" 2>/dev/null
    fi
    wait "$p" 2>/dev/null || true   # reap it (our child), so no zombie is left
  done
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Polls a command until it succeeds or $2 seconds pass.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "demo: timed out waiting for $what" >&2; return 1; fi
    sleep 0.2
  done
}

say "private mosquitto on a free loopback port"
PORT=""
for _ in $(seq 1 50); do
  p=$(( 20000 + RANDOM % 40000 ))
  port_in_use "$p" && continue
  cat > "$OUT/mosquitto/mosquitto.conf" <<CONF
per_listener_settings false
listener $p 127.0.0.1
allow_anonymous true
persistence true
persistence_location $OUT/mosquitto/
max_queued_messages 0
max_inflight_messages 1000
log_dest file $OUT/mosquitto/mosquitto.log
log_type error
log_type warning
log_type notice
log_type subscribe
CONF
  [ "$(id -u)" = 0 ] && echo "user root" >> "$OUT/mosquitto/mosquitto.conf"
  "$MOSQUITTO" -c "$OUT/mosquitto/mosquitto.conf" > "$OUT/mosquitto/stdout.log" 2>&1 &
  mpid=$!
  if wait_for "mosquitto on port $p" 10 port_in_use "$p" && kill -0 "$mpid" 2>/dev/null; then
    PIDS+=("$mpid"); PORT=$p; break
  fi
  kill "$mpid" 2>/dev/null || true
done
[ -n "$PORT" ] || { echo "demo: could not start mosquitto" >&2; exit 69; }
echo "mosquitto pid ${PIDS[0]} on 127.0.0.1:$PORT (config $OUT/mosquitto/mosquitto.conf)"

STORE=${DEMO_STORE:-sqlite}
STORAGE_TOML="path = \"$OUT/klaster.db\""
if [ "$STORE" = postgres ]; then
  say "private PostgreSQL 15 on a free loopback port"
  PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
  [ -x "$PGBIN/initdb" ] || { echo "demo: $PGBIN/initdb not found (make deps installs postgresql-15)" >&2; exit 69; }
  PGDIR=$OUT/postgres
  mkdir -p "$PGDIR"
  # initdb refuses to run as root: then the cluster belongs to the postgres user.
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
  as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync > "$PGDIR/initdb.log" 2>&1
  PGPORT=""
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 40000 ))
    port_in_use "$p" && continue
    if as_pg "$PGBIN/pg_ctl" start -w -D "$PGDIR/data" -l "$PGDIR/postgres.log" \
         -o "-p $p -k $PGDIR -c listen_addresses=127.0.0.1" > "$PGDIR/pg_ctl.log" 2>&1; then
      PGPORT=$p; break
    fi
  done
  [ -n "$PGPORT" ] || { echo "demo: could not start PostgreSQL (see $PGDIR/postgres.log)" >&2; exit 69; }
  PIDS+=("$(head -1 "$PGDIR/data/postmaster.pid")")
  export KLASTER_PG_PASSWORD="demo-$RANDOM$RANDOM"
  "$PGBIN/psql" -X -q -h "$PGDIR" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE klaster LOGIN PASSWORD '$KLASTER_PG_PASSWORD'" -c "CREATE DATABASE klaster OWNER klaster"
  STORAGE_TOML="backend = \"postgres\"
url = \"postgresql://klaster@127.0.0.1:$PGPORT/klaster\""
  echo "postgres pid ${PIDS[-1]} on 127.0.0.1:$PGPORT (data $PGDIR/data; password in KLASTER_PG_PASSWORD)"
fi

say "config $OUT/klaster.toml"
cat > "$OUT/klaster.toml" <<TOML
# Demo config for the NextGen cluster (written by scripts/demo.sh).
[mqtt]
url = "mqtt://127.0.0.1:$PORT"
client_id = "klaster-demo"
topics = ["nextgen/#"]
topic_pattern = "nextgen/{plant}/{meter}/{quantity}"
qos = 1

[storage]
$STORAGE_TOML
durability = "process"
raw_retention = "400d"

[buckets]
widths = ["1m", "15m", "1h", "1d"]
allowed_lateness = "5m"
timezone = "Asia/Baku"

[http]
listen = ""

# Registers of the simulated fleet wrap at 10^6 (klaster simulate --faults);
# max_rate bounds a plausible increase (unit per hour) after a meter swap.
[quantities.active_energy_kwh]
rollover = 1_000_000
max_rate = 25_000
[quantities.gas_volume_nm3]
rollover = 1_000_000
max_rate = 80_000
[quantities.production_t]
max_rate = 150
[quantities.steam_mass_t]
max_rate = 150
[quantities.ammonia_t]
kind = "counter"
unit = "t"
max_rate = 100

[[factors]]
quantity = "active_energy_kwh"
kg_co2e_per_unit = 0.384
scope = 2
method = "location"
source = "IFI Harmonised Default Grid Factors 2021 v3.1, Azerbaijan, combined margin"

[[factors]]
quantity = "gas_volume_nm3"
kg_co2e_per_unit = 1.885
scope = 1
source = "IPCC 2006 Vol.2 Table 2.2, natural gas, 56.1 kg CO2/GJ"

[[targets]]
name = "cluster-2030"
scope = "cluster"
kind = "absolute"
base_year = 2024
base_t = 1_500_000
target_year = 2030
reduction = 0.42

[[targets]]
name = "karbamid-urea-intensity"
scope = "plant"
plant = "socar-karbamid"
kind = "intensity"
base_year = 2024
base_intensity = 1.38
target_year = 2030
reduction = 0.25

[[alerts]]
name = "stack-co2-high"
series = "socar-karbamid/*/co2_rate_kgh"
every = "1h"
agg = "mean"
warn = 42_000
crit = 45_000
warn_reset = 41_000
crit_reset = 44_000
for = "30m"

[[alerts]]
name = "reformer-nox-high"
series = "socar-karbamid/reformer-stack/nox_mg_nm3"
every = "1h"
agg = "max"
warn = 160
crit = 200
for = "1h"

# CBAM goods (klaster cbam; docs/cbam.md). The urea unit's steam is raised
# from the ammonia unit's waste heat, so urea has no direct stream of its own
# here: its embedded emissions are its electricity and the ammonia it consumes.
[[cbam.goods]]
name = "ammonia"
cn_code = "2814 10 00"
production = "socar-karbamid/ammonia-unit/ammonia_t"
direct = ["socar-karbamid/gas-inlet/gas_volume_nm3"]
electricity = ["socar-karbamid/ammonia-feeder-*/active_energy_kwh"]

[[cbam.goods]]
name = "urea"
cn_code = "3102 10 12"
production = "socar-karbamid/urea-line/production_t"
electricity = ["socar-karbamid/urea-feeder-*/active_energy_kwh"]
precursors = [{ good = "ammonia", t_per_t = 0.567 }]
default_see = 2.75
TOML

say "klaster ingest"
"$BIN" ingest --config "$OUT/klaster.toml" > "$OUT/ingest.log" 2>&1 &
IPID=$!
PIDS+=("$IPID")
subscribed() {
  kill -0 "$IPID" 2>/dev/null || { echo "demo: ingest exited:" >&2; cat "$OUT/ingest.log" >&2; return 2; }
  grep -q "klaster-demo 1 nextgen/#" "$OUT/mosquitto/mosquitto.log" 2>/dev/null
}
if wait_for "ingest to subscribe" 30 subscribed; then
  echo "ingest pid $IPID subscribed (log $OUT/ingest.log)"
else
  echo "demo: ingest is not running; the rest of the demo shows what it can" >&2
fi

say "klaster simulate: $DEMO_BACKFILL of history every $INTERVAL, then $LIVE live at $RATE readings/s, with faults"
t_sim=$(date +%s)
"$BIN" simulate --config "$OUT/klaster.toml" --broker "mqtt://127.0.0.1:$PORT" --backfill "$DEMO_BACKFILL" \
  --backfill-interval "$INTERVAL" --duration "$LIVE" --rate "$RATE" --seed "$SEED" --faults --qos 1 | tee "$OUT/simulate.txt"
PUBLISHED=$(awk '$1 == "messages" { print $2 }' "$OUT/simulate.txt")
PUBLISHED=${PUBLISHED:-0}
echo "published $PUBLISHED messages in $(( $(date +%s) - t_sim ))s"

say "waiting until ingest has committed all $PUBLISHED messages"
committed() {
  local n
  n=$("$BIN" stats --config "$OUT/klaster.toml" --format json 2>/dev/null | sed -n 's/.*"messages" *: *\([0-9]*\).*/\1/p' | head -1)
  [ -n "$n" ] && [ "$n" -ge "$PUBLISHED" ]
}
if [ "$PUBLISHED" -gt 0 ] && kill -0 "$IPID" 2>/dev/null && wait_for "ingest to commit" "$TIMEOUT" committed; then
  echo "all committed after $(elapsed)"
else
  echo "demo: ingest did not commit everything (see $OUT/ingest.log)" >&2
fi

run() {
  printf '\n$ klaster %s\n' "$*"
  local rc=0
  "$BIN" "$@" || rc=$?
  [ "$rc" = 0 ] || echo "(exit $rc)"
}
CFG=(--config "$OUT/klaster.toml")
YEAR_START="$(date -u +%Y)-01-01T00:00:00Z"
# Periods of `emissions --every` count from --from: start at a UTC midnight for calendar days
# (the last row is today so far, and its width says how long that is).
WEEK_START="$(date -u -d '7 days ago' +%Y-%m-%dT00:00:00Z)"

say "what was stored"
run stats "${CFG[@]}" --format table
run series "${CFG[@]}" --format table
run query "${CFG[@]}" 'socar-karbamid/gas-inlet/*' --from=-6h --to=now --every 1h --format table
# Dead letters: how many of each reason, then the first few (all of them: klaster deadletter).
printf '\n$ klaster deadletter %s --format json  # counted by reason\n' "${CFG[*]}"
"$BIN" deadletter "${CFG[@]}" --format json | sed -n 's/.*"reason":"\([a-z_0-9]*\)".*/\1/p' | sort | uniq -c | sort -rn \
  | awk '{ printf "  %-16s %6d\n", $2, $1; n += $1 } END { printf "  %-16s %6d\n", "total", n }'
run deadletter "${CFG[@]}" --limit 5 --format table
echo "(the first 5; all of them: $BIN deadletter ${CFG[*]})"

say "emissions, targets, alerts"
run emissions "${CFG[@]}" --from "$YEAR_START" --to now --by plant --format table
run emissions "${CFG[@]}" --from "$YEAR_START" --to now --by scope --format table
run emissions "${CFG[@]}" --from "$WEEK_START" --to now --every 1d --by cluster --format table
run targets "${CFG[@]}" --format table
run cbam "${CFG[@]}" --format table
run query "${CFG[@]}" 'socar-karbamid/urea-line/production_t' --from=-3d --to=now --every 1d --tz Asia/Baku --format table
run check "${CFG[@]}"

say "report"
run report "${CFG[@]}" --out "$OUT/report.html"
[ -f "$OUT/report.html" ] && echo "report written to $OUT/report.html"

say "done in $(elapsed) (after the build); stopping ingest and mosquitto"
