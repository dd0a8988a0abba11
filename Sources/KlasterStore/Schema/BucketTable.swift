import KlasterCore

/// Names and DDL of the per-width bucket tables (`buckets_1m`, …).
enum BucketTable {
    /// Table name for a width; built from the width's integer millis, never from user text.
    static func name(_ width: BucketWidth) -> String { "buckets_\(width.description)" }

    /// The DDL of one bucket table (schemas/klaster.sql documents it).
    static func ddl(_ width: BucketWidth) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(name(width)) (
            series INTEGER NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL, sum REAL NOT NULL,
            min REAL, max REAL, first_ts INTEGER, first REAL, last_ts INTEGER, last REAL, delta REAL,
            implausible INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (series, start)
        ) STRICT, WITHOUT ROWID;
        INSERT OR IGNORE INTO bucket_widths (width_ms, name) VALUES (\(width.millis), '\(width.description)');
        """
    }

    /// The upsert that merges one partial exactly like `BucketRow.merge`:
    /// count, sum, implausible add; delta adds (NULL + x = x); min/max compare;
    /// first/last by ts with the stored one kept on a tie. SQLite evaluates
    /// every SET expression against the row as it was before the update.
    static func upsert(_ width: BucketWidth) -> String {
        """
        INSERT INTO \(name(width)) (series, start, count, sum, min, max, first_ts, first, last_ts, last, delta, implausible)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT (series, start) DO UPDATE SET
            count = count + excluded.count,
            sum = sum + excluded.sum,
            min = CASE WHEN excluded.min IS NOT NULL AND (min IS NULL OR excluded.min < min) THEN excluded.min ELSE min END,
            max = CASE WHEN excluded.max IS NOT NULL AND (max IS NULL OR excluded.max > max) THEN excluded.max ELSE max END,
            first_ts = CASE WHEN excluded.first_ts IS NOT NULL AND (first_ts IS NULL OR excluded.first_ts < first_ts) THEN excluded.first_ts ELSE first_ts END,
            first = CASE WHEN excluded.first_ts IS NOT NULL AND (first_ts IS NULL OR excluded.first_ts < first_ts) THEN excluded.first ELSE first END,
            last_ts = CASE WHEN excluded.last_ts IS NOT NULL AND (last_ts IS NULL OR excluded.last_ts > last_ts) THEN excluded.last_ts ELSE last_ts END,
            last = CASE WHEN excluded.last_ts IS NOT NULL AND (last_ts IS NULL OR excluded.last_ts > last_ts) THEN excluded.last ELSE last END,
            delta = CASE WHEN excluded.delta IS NULL THEN delta ELSE coalesce(delta, 0) + excluded.delta END,
            implausible = implausible + excluded.implausible
        """
    }

    static let columns = "series, start, count, sum, min, max, first_ts, first, last_ts, last, delta, implausible"
}
