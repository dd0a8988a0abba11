-- Klaster SQLite schema, version 3 (the sum of all migrations).
--
-- This file documents the schema. The same statements, split by version, are
-- applied by Sources/KlasterStore/Schema/Migrations.swift (each migration in its
-- own transaction; `meta.schema_version` records the version reached). A test
-- (schemaFileMatchesMigrations) checks that this file and the migrations create
-- identical tables and indexes.
--
-- All times are epoch milliseconds UTC (INTEGER). All tables are STRICT.
-- Tables keyed by integers are WITHOUT ROWID: the key is the B-tree order.
--
-- The layout (v3), chosen so that a commit's page writes follow the readings it
-- holds, not the number of series it touches:
--   * raw readings are the truth, keyed by (ts, series): a live fleet's commit
--     (every series, one second) appends at the right edge of one B-tree instead
--     of rewriting a leaf page per series (Benchmarks/import/README.md);
--   * a bucket row is written once it is final — when its series' newest reading
--     is `buckets.allowed_lateness` past the bucket's end — and merged into every
--     coarser width at that moment; `series.final_until` says where each series'
--     final buckets end;
--   * everything after a series' frontier (the open window, about
--     allowed_lateness + 1 minute) is computed from raw readings when it is read,
--     and rebuilt from them when the daemon restarts: nothing acknowledged lives
--     only in memory.

-- Schema version and provenance: ('schema_version', '3'), ('application', 'klaster').
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per series; `id` is the small integer every other table uses.
CREATE TABLE series (
    id           INTEGER PRIMARY KEY,          -- rowid alias
    key          TEXT NOT NULL UNIQUE,         -- plant/meter/quantity
    plant        TEXT,
    quantity     TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('counter', 'gauge')),
    unit         TEXT NOT NULL,
    final_until  INTEGER,                      -- v3: buckets starting before this are final (NULL: none yet)
    anchor_ts    INTEGER,                      -- v3: newest aggregated reading before final_until:
    anchor_value REAL                          --     the first open counter delta's predecessor
) STRICT;

-- Raw readings (v3 layout), deduplicated by (series, ts): the first one stored
-- wins. In time order: live inserts append; retention deletes from the front.
CREATE TABLE readings (
    ts      INTEGER NOT NULL,
    series  INTEGER NOT NULL,                  -- series.id
    value   REAL    NOT NULL,
    seq     INTEGER,                           -- publisher sequence number, if sent
    quality INTEGER NOT NULL DEFAULT 0,        -- 0 good, 1 uncertain, 2 bad (never aggregated)
    late    INTEGER NOT NULL DEFAULT 0,        -- 1: too late to aggregate, until `db rebuild` folds it in
    PRIMARY KEY (ts, series)
) STRICT, WITHOUT ROWID;

-- Which bucket widths have a table; `name` is the table suffix (buckets_<name>).
CREATE TABLE bucket_widths (
    width_ms INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE
) STRICT;

-- One table per stored width, all alike. A row is a mergeable aggregate
-- (BucketRow): count, sum, delta, implausible add; min/max compare; first/last
-- by ts. A row with count = 0 carries only a delta correction (min, max,
-- first_ts, first, last_ts, last are NULL). Rows hold final buckets only; a
-- coarse row holds the final minutes of its bucket so far.
CREATE TABLE buckets_1m (
    series      INTEGER NOT NULL,
    start       INTEGER NOT NULL,              -- floor(ts / width) * width
    count       INTEGER NOT NULL,
    sum         REAL    NOT NULL,
    min         REAL,
    max         REAL,
    first_ts    INTEGER,
    first       REAL,
    last_ts     INTEGER,
    last        REAL,
    delta       REAL,                          -- counters only; NULL for gauges
    implausible INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (series, start)
) STRICT, WITHOUT ROWID;
CREATE TABLE buckets_15m (
    series INTEGER NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL,
    min REAL, max REAL, first_ts INTEGER, first REAL, last_ts INTEGER, last REAL, delta REAL,
    implausible INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (series, start)
) STRICT, WITHOUT ROWID;
CREATE TABLE buckets_1h (
    series INTEGER NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL,
    min REAL, max REAL, first_ts INTEGER, first REAL, last_ts INTEGER, last REAL, delta REAL,
    implausible INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (series, start)
) STRICT, WITHOUT ROWID;
CREATE TABLE buckets_1d (
    series INTEGER NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL,
    min REAL, max REAL, first_ts INTEGER, first REAL, last_ts INTEGER, last REAL, delta REAL,
    implausible INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (series, start)
) STRICT, WITHOUT ROWID;
INSERT INTO bucket_widths (width_ms, name) VALUES (60000, '1m'), (900000, '15m'), (3600000, '1h'), (86400000, '1d');
-- A width configured in buckets.widths beyond these gets the same table,
-- created (and registered here) when the store is opened with it. Every width
-- must be a multiple of the finest.

-- Messages that were rejected, whole, with why.
CREATE TABLE deadletter (
    id          INTEGER PRIMARY KEY,
    topic       TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    reason      TEXT    NOT NULL,              -- RejectReason raw value
    detail      TEXT    NOT NULL
) STRICT;
-- v2: `klaster deadletter --since T` and retention read dead letters by time.
CREATE INDEX deadletter_received_at ON deadletter (received_at);

-- Running ingest totals: messages, readings (distinct stored), duplicates,
-- late, implausible, committed_seq, deadletter:<reason>; and (v3) open_from,
-- the oldest start of any open bucket as of the last commit (absent: none open).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- v3: alert-rule states of `klaster check` and the daemon's alert hook.
CREATE TABLE alert_state (
    rule            TEXT PRIMARY KEY,
    status          INTEGER NOT NULL,          -- AlertStatus raw value
    since           INTEGER NOT NULL,
    level           INTEGER NOT NULL,
    pending         INTEGER,
    pending_since   INTEGER,
    last_window_end INTEGER,
    value           REAL
) STRICT, WITHOUT ROWID;

-- v4: series whose Sparkplug B edge node or device is dead (NDEATH with the
-- NBIRTH's bdSeq, DDEATH), since when (receive time, epoch ms). A BIRTH
-- deletes the row. `klaster series` shows it; alert rules on series that are
-- all stale report UNKNOWN.
CREATE TABLE series_stale (
    series INTEGER PRIMARY KEY,                -- series.id
    since  INTEGER NOT NULL
) STRICT;
