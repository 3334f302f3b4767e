# Signet — the two commands: `make run` and `make test`. Everything else here is a step
# they call. Installs are idempotent: a second run installs nothing.

SHELL := /bin/bash
.DEFAULT_GOAL := help

export CARGO_TARGET_DIR ?= $(HOME)/.cache/signet-target
export CARGO_TERM_COLOR ?= never
CARGO ?= cargo
TARGET := $(CARGO_TARGET_DIR)
WASM := $(TARGET)/wasm32-unknown-unknown/panel/signet-frontend.wasm
DIST := frontend/dist
# wasm-bindgen-cli must match the wasm-bindgen crate exactly; read it from Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
APT_PACKAGES := chromium poppler-utils qpdf fonts-wqy-microhei softhsm2 opensc
# Independent validators of the signatures the engine makes.
PIP_PACKAGES := pyhanko==0.38.0 pyhanko-cli==0.6.0 certomancer==0.16.0 openapi-spec-validator==0.9.0 schemathesis==4.32.5
PG_HOST ?= 127.0.0.1

.PHONY: agent bench-api bench-pdf bench-pki bench-verify fuzz help run schemathesis test deps-build deps-test panel server lint fmt clippy unit e2e openapi postgres clean-test-dbs

help:
	@echo "make run    build everything, migrate, serve on http://127.0.0.1:8080 with a demo tenant"
	@echo "make test   install what the tests need, then run them all (CI=true: nothing may skip)"
	@echo "make openapi  regenerate openapi/openapi.json"

## ---- make run ----------------------------------------------------------------------------

run: deps-build panel server agent
	$(TARGET)/debug/signet migrate
	$(TARGET)/debug/signet serve --demo

server:
	$(CARGO) build -p signet-server --bin signet

## The local signing agent for USB tokens (runs on users' PCs; shipped apart from the server).
agent:
	$(CARGO) build -p signet-agent --bin signet-agent

## The panel: Leptos compiled to wasm32 (one profile, `panel`: size-optimised with LTO), bound
## with wasm-bindgen without the name section (debug names: more than half the bytes); fails
## when the wasm outgrows its gzip budget.
panel: deps-build
	$(CARGO) build -p signet-frontend --target wasm32-unknown-unknown --profile panel
	rm -rf $(DIST) && mkdir -p $(DIST)/pkg
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
	  --out-dir $(DIST)/pkg $(WASM)
	cp frontend/index.html frontend/boot.js frontend/style.css $(DIST)/
	@size=$$(gzip -9 -c $(DIST)/pkg/signet-frontend_bg.wasm | wc -c); \
	 echo "panel wasm: $$size bytes gzip (budget 600000)"; test $$size -le 600000

deps-build:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@# The CJK font the binary embeds (date stamps, generated seals, evidence reports).
	@dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null)
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" != "$(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

## ---- make test ---------------------------------------------------------------------------

test: deps-test lint panel server agent postgres
	$(CARGO) nextest run --workspace --exclude signet-frontend --no-fail-fast
	# The panel's pure logic, on the host (no browser).
	$(CARGO) test -p signet-frontend --bins
	$(MAKE) e2e
	$(MAKE) schemathesis

deps-test: deps-build
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v cargo-nextest >/dev/null || $(CARGO) install cargo-nextest --locked
	@command -v pyhanko >/dev/null && command -v openapi-spec-validator >/dev/null \
	  && command -v schemathesis >/dev/null && python3 -c "import pyhanko, certomancer" 2>/dev/null \
	  || pip install --quiet --disable-pip-version-check $(PIP_PACKAGES)
	@[ -d e2e/node_modules/playwright-core ] || (cd e2e && npm ci --no-audit --no-fund)

## PostgreSQL must answer for the tests; start the local cluster if it is down.
postgres:
	@if ! pg_isready -h $(PG_HOST) -q; then \
	  echo "PostgreSQL is not answering on $(PG_HOST):5432; starting it"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql 2>/dev/null | head -1) main start 2>/dev/null || true; \
	  for i in $$(seq 1 20); do pg_isready -h $(PG_HOST) -q && break; sleep 1; done; \
	fi
	@if ! pg_isready -h $(PG_HOST) -q; then \
	  if [ "$$CI" = "true" ]; then echo "PostgreSQL on $(PG_HOST):5432 is required in CI and is not running" >&2; exit 1; \
	  else echo "PostgreSQL is not running: its tests will be skipped"; fi; \
	else $(MAKE) --no-print-directory clean-test-dbs; fi

## Drop databases left by earlier test runs.
clean-test-dbs:
	@psql -h $(PG_HOST) -U postgres -d postgres -Atc \
	  "SELECT datname FROM pg_database WHERE datname LIKE 'signet_t_%'" 2>/dev/null \
	  | while read -r db; do psql -h $(PG_HOST) -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$$db\"" >/dev/null 2>&1; done; true

lint: fmt clippy

fmt:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --exclude signet-frontend --all-targets -- -D warnings
	$(CARGO) clippy -p signet-frontend --target wasm32-unknown-unknown --profile panel -- -D warnings

## Browser tests: Debian's Chromium driven by playwright-core against a real server.
e2e: panel server
	SIGNET_BIN=$(TARGET)/debug/signet SIGNET_PANEL_DIR=$(CURDIR)/$(DIST) node --test e2e/

## Property-based API tests against openapi/openapi.json on a running demo server
## (schemathesis; fixed seed, under 3 minutes): no 5xx, documented statuses, valid bodies.
schemathesis: server
	python3 e2e/schemathesis.py $(TARGET)/debug/signet openapi/openapi.json

## Fuzz FUZZ_TARGET (reader: the PDF reader and revision builder; verify: the validator;
## cms: the CMS/RFC 3161 parsers) for FUZZ_SECONDS (stable toolchain, no sanitizer). New
## interesting inputs go to a scratch corpus; crashes land in fuzz/artifacts/TARGET — commit
## them, and `make test` replays them (crates/pdf/tests/fuzz_replay.rs).
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= reader
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	mkdir -p $(TARGET)/fuzz-corpus/$(FUZZ_TARGET)
	cd fuzz && $(CARGO) fuzz run -s none $(FUZZ_TARGET) $(TARGET)/fuzz-corpus/$(FUZZ_TARGET) corpus/$(FUZZ_TARGET) -- \
	  -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10

## Benchmark: whole-process signing vs pyHanko and pdfsig (prints the ratios; not a test).
bench-pdf: deps-test
	@command -v certutil >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnss3-tools time >/dev/null)
	@python3 -c "import PIL" 2>/dev/null || pip install --quiet --disable-pip-version-check pillow
	$(CARGO) build --release -p signet-server --bin signet
	python3 bench/pdf.py $(TARGET)/release/signet

## Benchmark: whole-process `signet pdf verify` vs `pyhanko sign validate` (prints the ratio).
bench-verify: deps-test
	$(CARGO) build --release -p signet-server --bin signet
	python3 bench/verify.py $(TARGET)/release/signet

## Benchmark: OCSP responses/s and timestamps/s from a release server over loopback (ab), and
## the cost of one PIN check + key unwrap (criterion). Prints the numbers; not a test.
bench-pki: deps-test
	@command -v ab >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils >/dev/null)
	$(CARGO) bench -p signet-pki --bench pin
	$(CARGO) build --release -p signet-server --bin signet
	python3 bench/pki.py $(TARGET)/release/signet

## Signing tasks under load: sign-step throughput (SQLite, PostgreSQL) and list/search p99
## with 1,000,000 generated tasks on PostgreSQL (BENCH_TASKS=… to change).
bench-api: deps-test postgres
	$(CARGO) bench -p signet-server --bench api

openapi:
	UPDATE_OPENAPI=1 $(CARGO) nextest run -p signet-server --test openapi
