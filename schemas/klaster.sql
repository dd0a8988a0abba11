-- Klaster SQLite schema, version 2 (the sum of all migrations).
--
-- This file documents the schema. The same statements, split by version, are
-- applied by Sources/KlasterStore/Schema/Migrations.swift (each migration in its
-- own transaction; `meta.schema_version` records the version reached). A test
-- (SchemaFileTests) checks that this file and the migrations create identical
-- tables and indexes.
--
-- All times are epoch milliseconds UTC (INTEGER). All tables are STRICT.
-- Tables keyed by integers are WITHOUT ROWID: the key is the B-tree order.
--
-- Key order, measured (SQLite 3.40, WAL, synchronous=NORMAL, 2M time-ordered
-- readings over 2,000 series, 10k rows per transaction; Benchmarks/import/README.md):
--   (series, ts), default 2 MB cache           ~105k rows/s
--   (series, ts), cache_size = 64 MB            ~139k rows/s   <- chosen
--   (ts, series), no other index                ~357k rows/s   (pure append)
--   (ts, series) + index (series, ts)            ~57k rows/s
-- Per-series access (restore after restart, `series`, rebuild seeds, retention
-- per series) needs (series, ts); a second index costs more than it saves, so
-- the store keys raw readings by (series, ts) and sets a page cache large
-- enough to hold the hot leaf page of every series (PRAGMA cache_size, set on
-- open, not part of the schema).

-- v1 ---------------------------------------------------------------------

-- Schema version and provenance: ('schema_version', '2'), ('application', 'klaster').
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- One row per series; `id` is the small integer every other table uses.
CREATE TABLE series (
    id       INTEGER PRIMARY KEY,              -- rowid alias
    key      TEXT NOT NULL UNIQUE,             -- plant/meter/quantity
    plant    TEXT,
    quantity TEXT,
    kind     TEXT NOT NULL CHECK (kind IN ('counter', 'gauge')),
    unit     TEXT NOT NULL
) STRICT;

-- Raw readings, deduplicated by (series, ts): the first one stored wins.
CREATE TABLE readings (
    series  INTEGER NOT NULL,                  -- series.id
    ts      INTEGER NOT NULL,
    value   REAL    NOT NULL,
    seq     INTEGER,                           -- publisher sequence number, if sent
    quality INTEGER NOT NULL DEFAULT 0,        -- 0 good, 1 uncertain, 2 bad (never aggregated)
    PRIMARY KEY (series, ts)
) STRICT, WITHOUT ROWID;

-- Which bucket widths have a table; `name` is the table suffix (buckets_<name>).
CREATE TABLE bucket_widths (
    width_ms INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE
) STRICT;

-- One table per stored width, all alike. A row is a mergeable partial
-- (BucketRow): count, sum, delta, implausible add; min/max compare; first/last
-- by ts. A row with count = 0 carries only a delta correction (min, max,
-- first_ts, first, last_ts, last are NULL).
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
-- created (and registered here) when the store is opened with it.

-- Messages that were rejected, whole, with why.
CREATE TABLE deadletter (
    id          INTEGER PRIMARY KEY,
    topic       TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    reason      TEXT    NOT NULL,              -- RejectReason raw value
    detail      TEXT    NOT NULL
) STRICT;

-- Running ingest totals: messages, readings (distinct stored), duplicates,
-- late, implausible, committed_seq, deadletter:<reason>.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- v2 ---------------------------------------------------------------------

-- `klaster deadletter --since T` and retention read dead letters by time.
CREATE INDEX deadletter_received_at ON deadletter (received_at);
