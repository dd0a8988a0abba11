# Shared by run.sh, rss.sh and profile.sh (source it; not a script of its own).
# Sets HERE, ROOT, BIN, WORK; builds fleetpub into $WORK; starts a private
# loopback mosquitto (start_broker) and stops it by pid on exit.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${KLASTER_BIN:-$ROOT/.build/release/klaster}
if [[ ! -x $BIN ]]; then
  (cd "$ROOT" && swift build -c release --product klaster)
fi
WORK=$(mktemp -d "/tmp/klaster-${BENCH_NAME:-e2e}.XXXXXX")
BROKER_PID=""
# Pids to stop (in this order) before the broker when the script exits.
STOP_PIDS=()
cleanup() {
  for p in "${STOP_PIDS[@]}" $BROKER_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [[ ${KEEP:-0} = 1 ]]; then echo "work files: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

cc -O2 -Wall -o "$WORK/fleetpub" "$HERE/fleetpub.c" -lmosquitto -lpthread

now() { date +%s.%N; }
load() { uptime | sed 's/.*load average: //'; }
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# start_broker [EXTRA CONFIG LINES...]: mosquitto on a free 127.0.0.1 port
# ($PORT), unlimited queues for offline persistent sessions, a 1,000-message
# in-flight window (INFLIGHT).
start_broker() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  {
    [[ $(id -u) = 0 ]] && echo "user root"
    printf '%s\n' "listener $PORT 127.0.0.1" "allow_anonymous true" "max_queued_messages 0" "max_queued_bytes 0" \
      "max_inflight_messages ${INFLIGHT:-1000}" "log_dest stderr" "log_type error" "$@"
  } > "$WORK/mosquitto.conf"
  /usr/sbin/mosquitto -c "$WORK/mosquitto.conf" 2>"$WORK/mosquitto.log" &
  BROKER_PID=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && return 0; sleep 0.05; done
  echo "$(basename "$0"): mosquitto did not start (see $WORK/mosquitto.log)" >&2
  return 69
}

# register_session ID [TOPIC]: a persistent QoS 1 session on TOPIC (nextgen/#);
# from now on the broker queues every message for it (its share of them, for
# a $share/… topic).
register_session() { mosquitto_sub -h 127.0.0.1 -p "$PORT" -i "$1" -c -q 1 -t "${2:-nextgen/#}" -E; }
# end_session ID: a clean-session connect discards the session and its queue.
end_session() { mosquitto_sub -h 127.0.0.1 -p "$PORT" -i "$1" -t 'bench/none' -E; }

# klaster_config ID FILE: a klaster.toml for this broker with client id ID
# (and the [mqtt] lines in $KLASTER_EXTRA_MQTT, if set).
klaster_config() {
  printf '[mqtt]\nurl = "mqtt://127.0.0.1:%s"\nclient_id = "%s"\ntopics = ["nextgen/#"]\nqos = 1\n%s\n[http]\nlisten = ""\n' \
    "$PORT" "$1" "${KLASTER_EXTRA_MQTT:-}" > "$2"
}

# stream_start_ms SECONDS: readings of the last hour or so, aligned to a
# minute, ending an hour ago: inside every acceptance window.
stream_start_ms() { echo $(( ( $(date +%s) / 60 * 60 - $1 - 3600 ) * 1000 )); }
