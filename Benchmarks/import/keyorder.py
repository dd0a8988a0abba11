#!/usr/bin/env python3
# Key-order experiment behind schemas/klaster.sql: python3 keyorder.py {st|st_cache|ts|ts_idx|ts_idx_cache} [N]
# (writes /tmp/store-cli-bench/k_<variant>.db; Benchmarks/import/README.md has the results)
import sqlite3, time, os, sys
N=int(sys.argv[2]) if len(sys.argv)>2 else 2_000_000
S=2000
variant=sys.argv[1]
os.makedirs("/tmp/store-cli-bench", exist_ok=True)
path=f"/tmp/store-cli-bench/k_{variant}.db"
for ext in ("","-wal","-shm"):
    try: os.remove(path+ext)
    except FileNotFoundError: pass
c=sqlite3.connect(path, isolation_level=None)
c.execute("pragma journal_mode=wal"); c.execute("pragma synchronous=normal")
if variant in ("st_cache","ts_idx_cache"): c.execute("pragma cache_size=-65536")
if variant.startswith("st"):
    c.execute("create table r(series integer not null, ts integer not null, value real not null, seq integer, quality integer not null, primary key(series, ts)) strict, without rowid")
else:
    c.execute("create table r(ts integer not null, series integer not null, value real not null, seq integer, quality integer not null, primary key(ts, series)) strict, without rowid")
    if "idx" in variant: c.execute("create index r_series on r(series, ts)")
def rows(a,b):
    for i in range(a,b):
        yield (i % S, 1_700_000_000_000 + (i//S)*1000, float(i), None, 0)
t=time.perf_counter()
for a in range(0,N,10000):
    c.execute("begin")
    c.executemany("insert or ignore into r(series,ts,value,seq,quality) values(?,?,?,?,?)" if variant.startswith("st") else "insert or ignore into r(series,ts,value,seq,quality) values(?,?,?,?,?)", rows(a,a+10000))
    c.execute("commit")
dt=time.perf_counter()-t
c.execute("pragma wal_checkpoint(truncate)")
print(variant, N, f"{N/dt:,.0f} rows/s", f"{os.path.getsize(path)/1e6:.1f} MB")
