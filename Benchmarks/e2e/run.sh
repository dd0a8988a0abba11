#!/usr/bin/env bash
# End-to-end drain benchmark on a stream that looks like production: a fleet
# publishes every series every second, interleaved (second 0: series 1..S,
# second 1: series 1..S, ...), JSON {"ts","v"} on nextgen/<plant>/<meter>/<quantity>.
# For each series count, the stream is generated once (fleetpub gen), every
# consumer's persistent QoS 1 session is registered, then one publish
# (fleetpub pub) leaves the same backlog queued for every session; then the
# consumers drain their backlogs in turn, A B C A B C ..., on one private
# loopback broker:
#   sub     mosquitto_sub -C N > /dev/null          (receive only: the limit)
#   klaster klaster ingest --max-messages N          (parse, aggregate, commit, ack after commit)
#   python  paho-mqtt + sqlite3 (baseline_consumer.py): a (series TEXT, ts)-keyed
#           table, a commit per 1,000
#   unbuffered  the same klaster with mqtt.buffered_io = false: libmosquitto's
#           own reads (three per packet) and writes (one per PUBACK)
#   before  klaster ingest of another build, $KLASTER_BEFORE (e.g. a copy of the
#           binary before a change), to compare two builds in the same run
#   postgres klaster ingest into PostgreSQL (Benchmarks/postgres/drain.sh runs it)
#   pgbefore the same with $KLASTER_BEFORE
#   postgres3 three klaster ingest processes in one shared group ($share/…,
#           round-robin) into one PostgreSQL (shared mode), timed until the
#           database has committed all N messages (Benchmarks/postgres/drain.sh
#           INGESTERS=3 runs it with postgres); CPU and RSS are the three's sums
# Reports per round msg/s, ratio to mosquitto_sub, CPU (user+sys) per message
# and peak RSS (/usr/bin/time -v), then a table of medians.
#
# Usage: Benchmarks/e2e/run.sh [MESSAGES=240000] [ROUNDS=3]
#   env: SERIES_LIST ("2000 20000"), CONSUMERS ("sub klaster python"),
#        KLASTER_BIN (default .build/release/klaster, built if missing),
#        PYTHON (default /usr/bin/python3: Debian's, with python3-paho-mqtt),
#        INFLIGHT (broker max_inflight_messages, default 1000), KEEP=1 keeps the work dir.
# Needs mosquitto, mosquitto-clients, libmosquitto-dev, a C compiler,
# python3-paho-mqtt, bc and /usr/bin/time (`make bench-e2e` installs them).
set -euo pipefail

N=${1:-240000}
ROUNDS=${2:-3}
SERIES_LIST=${SERIES_LIST:-2000 20000}
CONSUMERS=${CONSUMERS:-sub klaster python}
INFLIGHT=${INFLIGHT:-1000}
PYTHON=${PYTHON:-/usr/bin/python3}
# shellcheck source=Benchmarks/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
start_broker "persistence true" "persistence_location $WORK/" "autosave_interval 3600"
field() { grep -F "$1" "$2" | awk -F': ' '{print $2}'; }
# CPU seconds (user+sys) the broker has used so far.
broker_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$BROKER_PID/stat"; }

# ---- consumers: each drains exactly $N messages from persistent session $1 and exits;
# ---- the harness times it (wall clock) and runs it under /usr/bin/time -v -o $TIMES.
consumer_sub() {
  /usr/bin/time -v -o "$TIMES" mosquitto_sub -h 127.0.0.1 -p "$PORT" -i "$1" -c -q 1 -t 'nextgen/#' -C "$N" >/dev/null
}
consumer_klaster() { klaster_ingest "$BIN" "$1" klaster; }
consumer_unbuffered() { KLASTER_EXTRA_MQTT="buffered_io = false" klaster_ingest "$BIN" "$1" unbuffered; }
consumer_before() { klaster_ingest "${KLASTER_BEFORE:?set KLASTER_BEFORE to the other klaster binary}" "$1" before; }
klaster_ingest() {
  klaster_config "$2" "$WORK/klaster.toml"
  rm -f "$WORK/$3.db"*
  /usr/bin/time -v -o "$TIMES" "$1" ingest --config "$WORK/klaster.toml" --db "$WORK/$3.db" \
    --max-messages "$N" 2>"$WORK/$3.log"
}
consumer_python() {
  rm -f "$WORK/python.db"*
  /usr/bin/time -v -o "$TIMES" "$PYTHON" "$HERE/baseline_consumer.py" 127.0.0.1 "$PORT" "$1" "$WORK/python.db" "$N" \
    2>"$WORK/python.log"
}
# PostgreSQL: `klaster ingest` with the PostgreSQL store into $KLASTER_PG_URL,
# emptied before each drain by $KLASTER_PG_RESET (a command).
# Benchmarks/postgres/drain.sh starts a private server and sets both.
# pgbefore: the same with $KLASTER_BEFORE, to compare two builds on PostgreSQL.
consumer_postgres() { postgres_ingest "$BIN" "$1" postgres; }
consumer_pgbefore() { postgres_ingest "${KLASTER_BEFORE:?set KLASTER_BEFORE to the other klaster binary}" "$1" pgbefore; }
postgres_ingest() {
  klaster_config "$2" "$WORK/klaster.toml"
  ${KLASTER_PG_RESET:?run Benchmarks/postgres/drain.sh, which sets KLASTER_PG_URL and KLASTER_PG_RESET}
  /usr/bin/time -v -o "$TIMES" "$1" ingest --config "$WORK/klaster.toml" --db "${KLASTER_PG_URL:?}" \
    --max-messages "$N" 2>"$WORK/$3.log"
}

# Shared mode: three members of group bench-<session> (a group per round, so
# each round's group gets the whole stream), each with its own session.
consumer_postgres3() {
  ${KLASTER_PG_RESET:?run Benchmarks/postgres/drain.sh, which sets KLASTER_PG_URL and KLASTER_PG_RESET}
  local pids=() i
  for i in 1 2 3; do
    klaster_config "$1-$i" "$WORK/klaster-$i.toml"
    sed -i "s|^qos = 1|qos = 1\nshared_group = \"$1\"|" "$WORK/klaster-$i.toml"
    LOG_LEVEL=debug KLASTER_FINALIZE_PERIOD_MS=${FINALIZE_PERIOD_MS:-5000} /usr/bin/time -v -o "$TIMES.$i" \
      "$BIN" ingest --config "$WORK/klaster-$i.toml" --db "${KLASTER_PG_URL:?}" 2>"$WORK/postgres3-$i.log" &
    pids+=($!)
  done
  local deadline=$(( $(date +%s) + ${DRAIN_DEADLINE_S:-600} )) got=0
  until (( got >= N )); do
    got=$($KLASTER_PG_SQL -c "SELECT coalesce(sum(value), 0) FROM counters WHERE name = 'messages'" 2>/dev/null || echo 0)
    if (( $(date +%s) > deadline )); then echo "postgres3: only $got of $N messages committed in time" >&2; break; fi
    sleep 0.05
  done
  # SIGTERM to each ingester (/usr/bin/time's child, by its pid), which drains and exits 0.
  for i in "${pids[@]}"; do kill -TERM "$(pgrep -P "$i")"; done
  wait "${pids[@]}"
  awk -F': ' '/User time/ {u += $2} /System time/ {s += $2} /Maximum resident set size/ {r += $2}
    END {printf "\tUser time (seconds): %s\n\tSystem time (seconds): %s\n\tMaximum resident set size (kbytes): %d\n", u, s, r}' \
    "$TIMES".[123] > "$TIMES"
  echo "  postgres3: messages per member: $($KLASTER_PG_SQL -c "SELECT string_agg(value::text, ' ' ORDER BY value) FROM counters WHERE name = 'messages'");" \
    "finalising steps (ms each): $(grep -h 'shared finalising step' "$WORK"/postgres3-[123].log | grep -o ' ms=[0-9]*' | tr -d '\n')" >&2
}

declare -A RATE CPU RSS
LABEL_sub="mosquitto_sub"; LABEL_klaster="klaster ingest"; LABEL_python="paho+sqlite3"; LABEL_postgres="klaster (postgres)"; LABEL_postgres3="klaster ×3 (pg)"; LABEL_before="klaster before"; LABEL_unbuffered="klaster unbuffered"
LABEL_pgbefore="before (postgres)"
label() { local v="LABEL_$1"; echo "${!v}"; }

echo "# $(date -u +%FT%TZ)  host load: $(load)  klaster: $("$BIN" --version 2>/dev/null || echo "$BIN")"
echo "# $N messages per drain, $ROUNDS rounds, consumers: $CONSUMERS, broker max_inflight_messages $INFLIGHT"
for S in $SERIES_LIST; do
  stream=$WORK/stream-$S.txt
  secs=$(( (N + S - 1) / S ))
  "$WORK/fleetpub" gen "$S" "$N" "$(stream_start_ms "$secs")" "$stream"
  for r in $(seq 1 "$ROUNDS"); do for c in $CONSUMERS; do
    if [[ $c = postgres3 ]]; then
      for i in 1 2 3; do register_session "bench-$c-$S-$r-$i" "\$share/bench-$c-$S-$r/nextgen/#"; done
    else
      register_session "bench-$c-$S-$r"
    fi
  done; done
  pub=$("$WORK/fleetpub" pub 127.0.0.1 "$PORT" "$stream")
  echo
  echo "## SERIES=$S: $secs s of fleet data, $N messages; $pub to $(( ROUNDS * $(wc -w <<<"$CONSUMERS") )) queued sessions"
  printf "%-5s %-16s %10s %8s %11s %9s %12s %12s %12s\n" round consumer msg_per_s seconds vs_mosq_sub cpu_s "cpu_us_per_msg" peak_rss_MB broker_cpu_s
  for r in $(seq 1 "$ROUNDS"); do
    for c in $CONSUMERS; do
      TIMES=$WORK/time.$c
      b0=$(broker_cpu); t0=$(now); "consumer_$c" "bench-$c-$S-$r"; t1=$(now); b1=$(broker_cpu)
      # The session has done its job: end it so later publishes do not queue for it.
      if [[ $c = postgres3 ]]; then for i in 1 2 3; do end_session "bench-$c-$S-$r-$i"; done; else end_session "bench-$c-$S-$r"; fi
      wall=$(echo "$t1 - $t0" | bc -l)
      cpu=$(echo "$(field 'User time' "$TIMES") + $(field 'System time' "$TIMES")" | bc -l)
      rss=$(field 'Maximum resident set size' "$TIMES")
      rate=$(echo "$N / $wall" | bc -l)
      RATE[$S:$c]+="$rate "; CPU[$S:$c]+="$cpu "; RSS[$S:$c]+="$rss "
      ratio="-"
      if [[ $c != sub && -n ${RATE[$S:sub]:-} ]]; then
        # same round's mosquitto_sub rate: the last one recorded
        last_sub=$(awk '{print $NF}' <<<"${RATE[$S:sub]}")
        ratio=$(printf "%.2f" "$(echo "$rate / $last_sub" | bc -l)")
      fi
      printf "%-5s %-16s %10.0f %8.2f %11s %9.2f %12.2f %12.1f %12.2f\n" "$r" "$(label "$c")" "$rate" "$wall" "$ratio" "$cpu" \
        "$(echo "$cpu * 1000000 / $N" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(echo "$b1 - $b0" | bc -l)"
    done
  done
  if [[ " $CONSUMERS " = *" klaster "* ]]; then
    echo "klaster stats of the last round: $("$BIN" stats --db "$WORK/klaster.db" --format json 2>/dev/null | head -1)"
  fi
  if [[ " $CONSUMERS " = *" python "* ]]; then tail -1 "$WORK/python.log"; fi
  if [[ " $CONSUMERS " = *" before "* ]]; then
    echo "klaster before ($KLASTER_BEFORE), stats of the last round: $("$KLASTER_BEFORE" stats --db "$WORK/before.db" --format json 2>/dev/null | head -1)"
  fi
done

echo
echo "## Medians ($ROUNDS rounds, $N messages each; ratios of the medians)"
echo "| series | consumer | msg/s | × mosquitto_sub | CPU µs/msg | CPU × mosquitto_sub | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
for S in $SERIES_LIST; do
  ms="" cs=""
  if [[ -n ${RATE[$S:sub]:-} ]]; then
    # shellcheck disable=SC2086 # word splitting of the recorded values is intended
    ms=$(median ${RATE[$S:sub]}); cs=$(median ${CPU[$S:sub]})
  fi
  for c in $CONSUMERS; do
    # shellcheck disable=SC2086
    m=$(median ${RATE[$S:$c]}); cpu=$(median ${CPU[$S:$c]}); rss=$(median ${RSS[$S:$c]})
    rr="-" cr="-"
    if [[ -n $ms ]]; then rr=$(printf "%.2f" "$(echo "$m / $ms" | bc -l)"); cr=$(printf "%.2f" "$(echo "$cpu / $cs" | bc -l)"); fi
    printf "| %s | %s | %.1f k | %s | %.2f | %s | %.0f |\n" "$S" "$(label "$c")" "$(echo "$m / 1000" | bc -l)" "$rr" \
      "$(echo "$cpu * 1000000 / $N" | bc -l)" "$cr" "$(echo "$rss / 1024" | bc -l)"
  done
  if [[ -n ${RATE[$S:klaster]:-} && -n ${RATE[$S:python]:-} ]]; then
    # shellcheck disable=SC2086
    printf "| %s | klaster ÷ paho+sqlite3 | %.1f× | | | | |\n" "$S" "$(echo "$(median ${RATE[$S:klaster]}) / $(median ${RATE[$S:python]})" | bc -l)"
  fi
done
echo "# done $(date -u +%FT%TZ)  host load: $(load)"
