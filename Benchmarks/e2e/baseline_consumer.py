#!/usr/bin/env python3
"""The baseline of Benchmarks/e2e/run.sh: what a plant engineer would write
first — paho-mqtt + the standard sqlite3 module.

    baseline_consumer.py HOST PORT CLIENT_ID DB MESSAGES

Joins the persistent session CLIENT_ID (clean_session=False, QoS 1 on
nextgen/#), inserts every reading {"ts","v"} into a table keyed by
(series TEXT, ts) — the series is the topic without "nextgen/" — commits every
1,000 messages and exits after MESSAGES messages. paho acknowledges each
message when its callback returns (before the commit: this script does not
promise what klaster does). Payloads that do not parse are counted, not stored.
"""
import json
import sqlite3
import sys

import paho.mqtt.client as mqtt

host, port, client_id, db_path, total = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])

db = sqlite3.connect(db_path)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE TABLE IF NOT EXISTS readings (series TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts))")
insert = "INSERT OR IGNORE INTO readings (series, ts, value) VALUES (?, ?, ?)"
state = {"seen": 0, "bad": 0}


def on_connect(client, userdata, flags, rc):
    if rc != 0:
        sys.exit(f"baseline_consumer: CONNACK {rc}")
    client.subscribe("nextgen/#", qos=1)


def on_message(client, userdata, msg):
    try:
        reading = json.loads(msg.payload)
        db.execute(insert, (msg.topic[len("nextgen/"):], int(reading["ts"]), float(reading["v"])))
    except (ValueError, KeyError, TypeError):
        state["bad"] += 1
    state["seen"] += 1
    if state["seen"] % 1000 == 0:
        db.commit()
    if state["seen"] >= total:
        db.commit()
        client.disconnect()


# paho-mqtt 2.x asks which callback signature to use; 1.x (Debian 12) has none.
if hasattr(mqtt, "CallbackAPIVersion"):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id=client_id, clean_session=False)
else:
    client = mqtt.Client(client_id=client_id, clean_session=False)
client.on_connect = on_connect
client.on_message = on_message
client.connect(host, port, keepalive=60)
client.loop_forever()
rows = db.execute("SELECT count(*) FROM readings").fetchone()[0]
db.close()
print(f"baseline_consumer: {state['seen']} messages, {rows} rows, {state['bad']} unparsed", file=sys.stderr)
