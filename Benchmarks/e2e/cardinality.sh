#!/usr/bin/env bash
# Topic cardinality: N distinct topics (one message each, QoS 1) into
# `klaster ingest --max-messages N` with the default config: peak RSS of the
# daemon, and where every message went (readings + dead letters = messages).
#
# Usage: Benchmarks/e2e/cardinality.sh [TOPICS]   (default 600000)
#   env: KLASTER_BIN (default .build/release/klaster, built if missing)
set -euo pipefail

N=${1:-600000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KLASTER_BIN:-$ROOT/.build/release/klaster}
if [[ ! -x $BIN ]]; then
  (cd "$ROOT" && swift build -c release --product klaster)
fi

WORK=$(mktemp -d /tmp/klaster-cardinality.XXXXXX)
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
max_inflight_messages 1000
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
[http]
listen = ""
TOML
# Register the persistent session, publish everything, then drain it.
mosquitto_sub -h 127.0.0.1 -p "$PORT" -i bench-klaster -c -q 1 -t 'nextgen/#' -E

# A minimal MQTT 3.1.1 QoS 1 publisher (CONNECT, PUBLISH, PUBACK), 500 in flight.
python3 - "$PORT" "$N" <<'PY'
import socket, struct, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
def rl(x):
    out = b""
    while True:
        d, x = x % 128, x // 128
        out += bytes([d | (0x80 if x else 0)])
        if not x: return out
def s(b): return struct.pack(">H", len(b)) + b
sock = socket.create_connection(("127.0.0.1", port))
body = s(b"MQTT") + b"\x04\x02" + struct.pack(">H", 60) + s(b"bench-pub")
sock.sendall(b"\x10" + rl(len(body)) + body)
assert sock.recv(4)[:2] == b"\x20\x02"
now = int(time.time() * 1000) - 60000
buf, acked, sent, window = b"", 0, 0, 500
def read_acks():
    global buf, acked
    buf += sock.recv(65536)
    while len(buf) >= 4:
        assert buf[0] == 0x40, buf[:4]
        buf = buf[4:]; acked += 1
while sent < n:
    out = []
    while sent < n and sent - acked < window:
        pid = sent % 65535 + 1
        topic = b"nextgen/cardinality/m%d/temperature_c" % sent
        payload = b'{"ts":%d,"v":21.5}' % now
        vh = s(topic) + struct.pack(">H", pid)
        out.append(b"\x32" + rl(len(vh) + len(payload)) + vh + payload)
        sent += 1
    sock.sendall(b"".join(out))
    read_acks()
while acked < n: read_acks()
sock.sendall(b"\xe0\x00"); sock.close()
print(f"published {n} messages on {n} topics", file=sys.stderr)
PY

/usr/bin/time -v "$BIN" ingest --config "$WORK/klaster.toml" --db "$WORK/k.db" --max-messages "$N" 2>"$WORK/ingest.log" >/dev/null
grep -E "Maximum resident set size|Elapsed \(wall" "$WORK/ingest.log"
"$BIN" stats --db "$WORK/k.db" --format json
