#!/usr/bin/env python3
"""Benchmark data for Benchmarks/import/run.sh.

gen.py readings OUT.csv N SERIES   N readings over SERIES series, time-ordered
    (each series one reading per 10 s, the series interleaved like a live stream);
    half the series are energy counters, half power gauges.
gen.py buckets OUT.sql SERIES HOURS  SQL that fills buckets_1h for a query benchmark
    (not used by run.sh: the query DB is built by `klaster import` instead).
"""
import sys

def readings(out, n, series):
    t0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    with open(out, "w") as f:
        f.write("series,ts,value\n")
        for i in range(n):
            s, step = i % series, i // series
            if s % 2 == 0:
                key, v = f"plant{s % 10}/m{s}/active_energy_kwh", 1000.0 + step * 2.5 + s
            else:
                key, v = f"plant{s % 10}/m{s}/active_power_kw", 100.0 + (step * 7 + s) % 50
            f.write(f"{key},{t0 + step * 10_000 + s},{v}\n")

if __name__ == "__main__":
    if sys.argv[1] == "readings":
        readings(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("usage: gen.py readings OUT.csv N SERIES")
