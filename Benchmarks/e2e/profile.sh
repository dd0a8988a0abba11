#!/usr/bin/env bash
# Where the time of a drain goes, for `klaster ingest` and for mosquitto_sub
# on the same interleaved fleet backlog (see run.sh for the stream):
#   1. strace -c -f: syscalls per message, by syscall;
#   2. perf record -e cpu-clock (a software clock: this VM has no hardware
#      counters, `perf stat -e instructions true` says "not supported"):
#      top symbols, user and kernel;
#   3. with CALLGRIND=1, valgrind --tool=callgrind on a smaller drain:
#      instructions per message (user space only; independent of the load).
#      Debian 12's valgrind 3.19 cannot run klaster (it rejects Swift 6.3's
#      DWARF 5 debug info, and crashes on a binary stripped of it), so this
#      step covers mosquitto_sub only unless a newer valgrind is installed.
#
# Usage: Benchmarks/e2e/profile.sh [MESSAGES=120000] [SERIES=2000] [CALLGRIND_MESSAGES=20000]
#   env: KLASTER_BIN, TOP (rows per listing, default 15), KEEP=1 keeps the raw
#        profiles (strace.*, perf.*.data, callgrind.*) in the work dir.
set -euo pipefail
N=${1:-120000}; S=${2:-2000}; CG=${3:-20000}; TOP=${TOP:-15}
BENCH_NAME=profile
# shellcheck source=Benchmarks/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
start_broker
klaster_config bench-kl "$WORK/klaster.toml"
demangle() { swift demangle --simplified 2>/dev/null || cat; }

secs=$(( (N + S - 1) / S ))
"$WORK/fleetpub" gen "$S" "$N" "$(stream_start_ms "$secs")" "$WORK/stream.txt"
TOOLS=${TOOLS:-strace perf callgrind}
for t in $TOOLS; do register_session "bench-$t-sub"; register_session "bench-$t-kl"; done
echo "# $(date -u +%FT%TZ) $N messages, $S series interleaved; host load $(load)"
echo "# $("$WORK/fleetpub" pub 127.0.0.1 "$PORT" "$WORK/stream.txt")"

# consumer TOOL WHO MESSAGES PREFIX...: drain MESSAGES from session bench-TOOL-WHO under PREFIX.
consumer() {
  local tool=$1 who=$2 n=$3 rc=0; shift 3
  if [[ $who = sub ]]; then
    "$@" mosquitto_sub -h 127.0.0.1 -p "$PORT" -i "bench-$tool-sub" -c -q 1 -t 'nextgen/#' -C "$n" > /dev/null || rc=$?
  else
    sed -i "s/^client_id = .*/client_id = \"bench-$tool-kl\"/" "$WORK/klaster.toml"
    rm -f "$WORK"/k.db*
    "$@" "$BIN" ingest --config "$WORK/klaster.toml" --db "$WORK/k.db" --max-messages "$n" 2>> "$WORK/ingest.log" || rc=$?
  fi
  end_session "bench-$tool-$who"
  return "$rc"
}

echo
echo "## strace -c -f: syscalls per message ($N messages)"
for who in sub kl; do
  consumer strace "$who" "$N" strace -c -f -S calls -o "$WORK/strace.$who"
  echo "### $([[ $who = sub ]] && echo mosquitto_sub || echo 'klaster ingest')"
  # strace -c: "% time seconds usecs/call calls errors syscall", then a "total" row.
  awk -v n="$N" -v top="$TOP" 'NR > 2 && $1 !~ /^-/ {
      name = $NF; if (name == "total") { total = $4; next }
      rows[++k] = sprintf("%-16s %10d calls %8.3f /msg", name, $4, $4 / n) }
    END { for (i = 1; i <= k && i <= top; i++) print "  " rows[i]; printf "  %-16s %10d calls %8.3f /msg\n", "total", total, total / n }' "$WORK/strace.$who"
done

echo
echo "## perf record -e cpu-clock: top symbols ($N messages; % of samples, user and kernel)"
if perf record -q -e cpu-clock -o "$WORK/perf.probe.data" true 2>/dev/null; then
  for who in sub kl; do
    consumer perf "$who" "$N" perf record -q -e cpu-clock -F 1999 -o "$WORK/perf.$who.data" --
    echo "### $([[ $who = sub ]] && echo mosquitto_sub || echo 'klaster ingest'): by object"
    perf report -i "$WORK/perf.$who.data" --stdio --no-children --sort dso 2>/dev/null \
      | grep -E '^ +[0-9]' | head -n 6 | sed 's/[ -]*$//' || true
    echo "### $([[ $who = sub ]] && echo mosquitto_sub || echo 'klaster ingest'): by symbol"
    perf report -i "$WORK/perf.$who.data" --stdio --no-children --sort dso,symbol 2>/dev/null \
      | grep -E '^ +[0-9]' | head -n "$TOP" | demangle | sed 's/[ -]*$//' | cut -c1-160 || true
  done
else
  echo "perf record is not available here: skipped"
fi

echo
echo "## valgrind --tool=callgrind: instructions per message ($CG messages, user space only)"
if [[ ${CALLGRIND:-0} = 1 ]] && command -v valgrind > /dev/null; then
  for who in sub kl; do
    if ! consumer callgrind "$who" "$CG" valgrind -q --tool=callgrind --callgrind-out-file="$WORK/callgrind.$who" 2> "$WORK/valgrind.$who"; then
      echo "### $who: valgrind failed: $(cat "$WORK/valgrind.$who" "$WORK/ingest.log" | grep -m1 -E "Giving up|impossible|rror" || true)"
      continue
    fi
    total=$(callgrind_annotate "$WORK/callgrind.$who" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' || true)
    echo "### $([[ $who = sub ]] && echo mosquitto_sub || echo 'klaster ingest'): $total instructions, $(( total / CG )) per message (start-up included)"
    callgrind_annotate "$WORK/callgrind.$who" 2>/dev/null | awk '/file:function/ {on = 1; next} on && NF && !/^-+$/' \
      | head -n "$TOP" | demangle | cut -c1-160 || true
  done
else
  echo "skipped (CALLGRIND=1 runs it; valgrind must be installed)"
fi
echo "# done $(date -u +%FT%TZ); host load $(load)"
