# Klaster — build, test, demo and benchmarks on a Debian machine.
# `make demo` and `make test` install what is missing (apt-get) and need nothing else.

SWIFT      ?= swift
APT_PKGS   := libmosquitto-dev mosquitto mosquitto-clients libsqlite3-dev sqlite3 pkg-config openssl libjemalloc-dev
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TSAN_DIR   := .build-tsan
BIN        := .build/debug/klaster

.PHONY: all deps build release test test-unit test-tsan demo bench bench-core bench-e2e clean report-png

all: build

## deps: install the Debian packages Klaster needs, only those missing.
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

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

## bench-e2e: drain a 200k-message QoS 1 backlog into mosquitto_sub vs
## klaster ingest (release build), A B A B on one private broker (owner: mqtt-ingest).
bench-e2e: deps
	$(SWIFT) build -c release --product klaster
	KLASTER_BIN=$(CURDIR)/.build/release/klaster Benchmarks/e2e/run.sh 200000 2

## demo: private mosquitto + ingest + simulate (year to date) + every read command + HTML report (scripts/demo.sh).
demo: deps
	$(SWIFT) build --product klaster
	DEMO_SKIP_BUILD=1 bash scripts/demo.sh

clean:
	rm -rf .build $(TSAN_DIR)
