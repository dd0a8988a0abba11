# Klaster — build, test, demo and benchmarks on a Debian machine.
# `make demo` and `make test` install what is missing (apt-get) and need nothing else.

SWIFT      ?= swift
APT_PKGS   := libmosquitto-dev mosquitto mosquitto-clients libsqlite3-dev sqlite3 postgresql-15 libpq-dev pkg-config openssl libjemalloc-dev tzdata curl chromium fonts-dejavu-core
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# What the end-to-end benchmarks need besides APT_PKGS (Benchmarks/e2e, Benchmarks/import).
BENCH_PKGS := python3-paho-mqtt gcc libc6-dev bc time strace valgrind linux-perf
TSAN_DIR   := .build-tsan
BIN        := .build/debug/klaster
# make install: PREFIX (default /usr/local), DESTDIR for staging, CONFIG release|debug.
PREFIX     ?= /usr/local
DESTDIR    ?=
CONFIG     ?= release

.PHONY: all deps bench-deps build release install install-files uninstall test test-unit test-tsan demo demo-postgres bench bench-core bench-e2e bench-rss bench-profile bench-import clean report-png sparkplug-proto

all: build

## deps: install the Debian packages Klaster needs, only those missing.
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

bench-deps: deps
	@missing=""; for p in $(BENCH_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## install: the klaster binary to $(PREFIX)/bin, the systemd unit to $(PREFIX)/lib/systemd/system
## (its ExecStart pointing at that binary), the example config, mosquitto.conf/acl, the README and docs/
## to $(PREFIX)/share/doc/klaster. Nothing under /etc is touched: copy the example config to
## /etc/klaster/klaster.toml yourself. `make install CONFIG=debug` skips the slow release build.
install: deps
	$(SWIFT) build -c $(CONFIG) --product klaster
	$(MAKE) --no-print-directory install-files BUILT_BIN="$$($(SWIFT) build -c $(CONFIG) --show-bin-path)/klaster"

## install-files: the copying half of install, for a binary already built (BUILT_BIN); the tests use it.
install-files:
	@[ -x "$(BUILT_BIN)" ] || { echo "install-files: BUILT_BIN=$(BUILT_BIN) is not an executable (run make install)" >&2; exit 66; }
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/share/doc/klaster
	install -m 0755 "$(BUILT_BIN)" $(DESTDIR)$(PREFIX)/bin/klaster
	sed -e 's|/usr/local/bin/klaster|$(PREFIX)/bin/klaster|' -e 's|/usr/local/share/doc/klaster|$(PREFIX)/share/doc/klaster|' \
	  deploy/klaster-ingest.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/klaster-ingest.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/klaster-ingest.service
	install -m 0644 deploy/klaster.example.toml deploy/mosquitto.conf deploy/mosquitto.acl README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/klaster/
	@echo "installed $(DESTDIR)$(PREFIX)/bin/klaster; next: cp $(PREFIX)/share/doc/klaster/klaster.example.toml /etc/klaster/klaster.toml"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/klaster $(DESTDIR)$(PREFIX)/lib/systemd/system/klaster-ingest.service
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/klaster

## test: the whole suite, then the concurrency tests again under ThreadSanitizer.
test: deps
	$(SWIFT) build
	$(SWIFT) test
	$(MAKE) test-tsan

test-tsan: deps
	$(SWIFT) test --sanitize=thread --scratch-path $(TSAN_DIR) --filter Concurrency

## bench: every benchmark. bench-core: ring, aggregation and parsing
## (package-benchmark in Benchmarks/, release build in Benchmarks/.build).
bench: bench-core
bench-core: deps
	cd Benchmarks && $(SWIFT) package benchmark --no-progress

## bench-e2e: drain a 240k-message interleaved fleet backlog (2,000 and 20,000 series) into
## mosquitto_sub, klaster ingest (release) and a paho-mqtt + sqlite3 script, A B C A B C on one
## private broker (Benchmarks/e2e/run.sh; results in Benchmarks/e2e/README.md).
## bench-rss: RSS of ingest over a 15-minute live fleet. bench-profile: strace/perf/callgrind of a drain.
## bench-import: klaster import of 1 M CSV rows vs the sqlite3 shell's .import (and the query benchmark).
bench-e2e: bench-deps
	$(SWIFT) build -c release --product klaster
	KLASTER_BIN=$(CURDIR)/.build/release/klaster Benchmarks/e2e/run.sh 240000 3
bench-rss: bench-deps
	$(SWIFT) build -c release --product klaster
	KLASTER_BIN=$(CURDIR)/.build/release/klaster Benchmarks/e2e/rss.sh 900 10000
bench-profile: bench-deps
	$(SWIFT) build -c release --product klaster
	KLASTER_BIN=$(CURDIR)/.build/release/klaster Benchmarks/e2e/profile.sh
bench-import: bench-deps
	$(SWIFT) build -c release --product klaster
	KLASTER_BIN=$(CURDIR)/.build/release/klaster Benchmarks/import/run.sh 3

## sparkplug-proto: regenerate Benchmarks/Benchmarks/SparkplugBenchmarks/Generated/sparkplug_b.pb.swift
## (swift-protobuf's decoder, for the comparison benchmark) from Benchmarks/proto/sparkplug_b.proto.
## Builds protoc-gen-swift 1.39 from the local package copy first: about ten minutes on 2 cores.
PROTOGEN_DIR ?= .build-protogen
sparkplug-proto:
	@command -v protoc >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends protobuf-compiler; }
	@[ -d $(PROTOGEN_DIR)/swift-protobuf ] || git clone -q --depth 1 --branch 1.39.0 https://github.com/apple/swift-protobuf.git $(PROTOGEN_DIR)/swift-protobuf
	cd $(PROTOGEN_DIR)/swift-protobuf && $(SWIFT) build -c release --product protoc-gen-swift
	mkdir -p Benchmarks/Benchmarks/SparkplugBenchmarks/Generated
	protoc --plugin=protoc-gen-swift=$(PROTOGEN_DIR)/swift-protobuf/.build/release/protoc-gen-swift \
	  --swift_out=Benchmarks/Benchmarks/SparkplugBenchmarks/Generated -IBenchmarks/proto Benchmarks/proto/sparkplug_b.proto

## demo: private mosquitto + ingest + simulate (year to date) + every read command + HTML report (scripts/demo.sh).
## DEMO_STORE=postgres make demo (or make demo-postgres): the same against a private PostgreSQL 15.
demo: deps
	$(SWIFT) build --product klaster
	DEMO_SKIP_BUILD=1 bash scripts/demo.sh

demo-postgres: deps
	$(SWIFT) build --product klaster
	DEMO_STORE=postgres DEMO_SKIP_BUILD=1 bash scripts/demo.sh

## report-png: render `klaster report` to PNG with headless Chromium so it can be looked at.
## Uses REPORT_DB when it exists; otherwise builds a deterministic demo database
## (hourly meters of both plants from 1 January to REPORT_NOW, an outage, dead letters).
REPORT_DIR ?= .build/report
REPORT_DB  ?= $(REPORT_DIR)/demo.db
REPORT_NOW ?= 2026-11-30T12:00:00Z
report-png: deps
	$(SWIFT) build --product klaster
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }
	@mkdir -p $(REPORT_DIR)
	@printf '%s\n' \
	  '[[factors]]' 'quantity = "active_energy_kwh"' 'kg_co2e_per_unit = 0.384' 'scope = 2' 'method = "location"' 'source = "IFI Harmonised Default Grid Factors 2021 v3.1"' \
	  '[[factors]]' 'quantity = "gas_volume_nm3"' 'kg_co2e_per_unit = 1.885' 'scope = 1' 'source = "IPCC 2006 Vol.2 Table 2.2"' \
	  '[[factors]]' 'quantity = "steam_mass_t"' 'kg_co2e_per_unit = 176.12' 'scope = 2' 'source = "US EPA Hub 62.9 kg/GJ x 2.8 GJ/t"' \
	  '[[targets]]' 'name = "cluster-2030"' 'scope = "cluster"' 'kind = "absolute"' 'base_year = 2024' 'base_t = 1_500_000' 'target_year = 2030' 'reduction = 0.42' \
	  '[[targets]]' 'name = "polymer-2030"' 'scope = "plant"' 'plant = "socar-polymer"' 'kind = "absolute"' 'base_year = 2024' 'base_t = 330_000' 'target_year = 2030' 'reduction = 0.30' \
	  '[[targets]]' 'name = "karbamid-intensity"' 'scope = "plant"' 'plant = "socar-karbamid"' 'kind = "intensity"' 'base_year = 2024' 'base_intensity = 1.45' 'target_year = 2030' 'reduction = 0.20' \
	  '[[alerts]]' 'name = "stack-co2-high"' 'series = "socar-karbamid/*/co2_rate_kgh"' 'every = "15m"' 'agg = "mean"' 'warn = 2200' 'crit = 2500' 'warn_reset = 2100' 'crit_reset = 2400' 'for = "30m"' \
	  '[[alerts]]' 'name = "polymer-hourly-co2e"' 'group = "socar-polymer"' 'every = "1h"' 'agg = "sum"' 'warn = 45000' 'crit = 60000' \
	  '[[alerts]]' 'name = "steam-flow-low"' 'series = "socar-polymer/*/steam_flow_th"' 'every = "1h"' 'agg = "min"' 'warn = 20' 'crit = 10' 'warn_reset = 22' 'crit_reset = 12' \
	  > $(REPORT_DIR)/report.toml
	@if [ ! -f "$(REPORT_DB)" ]; then \
	  end=$$(date -u -d "$(REPORT_NOW)" +%s); start=$$(date -u -d "$$(date -u -d @$$end +%Y)-01-01" +%s); \
	  awk -v start=$$start -v end=$$end 'BEGIN { srand(7); pi = 3.14159265; print "series,ts,value"; \
	    split("socar-polymer/pp-main/active_energy_kwh 36000 socar-polymer/hdpe-main/active_energy_kwh 24000 socar-karbamid/main/active_energy_kwh 25000 socar-polymer/boiler/gas_volume_nm3 9000 socar-karbamid/reformer/gas_volume_nm3 47000 socar-karbamid/urea/production_t 75 socar-polymer/steam/steam_mass_t 30", c, " "); \
	    n = 0; for (i = 1; i <= 14; i += 2) { n++; key[n] = c[i]; rate[n] = c[i+1]; tot[n] = 0 } \
	    for (t = start; t <= end; t += 3600) { h = (t % 86400) / 3600; d = (t - start) / 86400; \
	      for (j = 1; j <= n; j++) { \
	        if (key[j] ~ /hdpe/ && t > end - 3*86400 && t < end - 3*86400 + 30*3600) continue; \
	        tot[j] += rate[j] * (1 + 0.12 * sin(2 * pi * (h - 8) / 24) + 0.05 * sin(2 * pi * d / 7) - 0.06 * d / 365 + 0.04 * (rand() - 0.5)); \
	        printf "%s,%d000,%.1f\n", key[j], t, tot[j] } \
	      for (q = 0; q < 4; q++) { tq = t + q * 900; printf "socar-karbamid/stack1/co2_rate_kgh,%d000,%.1f\n", tq, 2000 + 150 * sin(2 * pi * (h - 9) / 24) + (t > end - 7200 ? 350 : 0) + 60 * (rand() - 0.5); \
	        printf "socar-polymer/boiler/steam_flow_th,%d000,%.1f\n", tq, 30 + 4 * sin(2 * pi * h / 24) + 2 * (rand() - 0.5) } } \
	    print "socar-polymer/pp-main/active_energy_kwh,not-a-time,5"; print "socar-karbamid/main/active_energy_kwh,2026-03-01T00:00:00Z,NaN"; \
	    print "socar-karbamid/reformer/gas_volume_nm3,2026-03-01T00:00:00Z,"; }' > $(REPORT_DIR)/demo.csv; \
	  $(BIN) import --config $(REPORT_DIR)/report.toml --db $(REPORT_DB) $(REPORT_DIR)/demo.csv; \
	fi
	@e=$$(date -u -d "$(REPORT_NOW)" +%s); for back in 3600 2700 1800 900 0; do \
	  $(BIN) check --config $(REPORT_DIR)/report.toml --db $(REPORT_DB) --now $$(( e - back ))000 || true; done
	$(BIN) report --config $(REPORT_DIR)/report.toml --db $(REPORT_DB) --now $(REPORT_NOW) --out $(REPORT_DIR)/report.html
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot=$(CURDIR)/$(REPORT_DIR)/report.png \
	  --window-size=1280,2400 file://$(CURDIR)/$(REPORT_DIR)/report.html
	@echo "wrote $(REPORT_DIR)/report.html and $(REPORT_DIR)/report.png"

clean:
	rm -rf .build $(TSAN_DIR)
