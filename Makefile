# partnergraph: two commands set everything up on a fresh machine.
#   make run    the API on http://127.0.0.1:8080/graphql (playground at /), seed data loaded
#   make test   gofmt, vet, generated-code check, and every test against a real Neo4j
#
# Without NEO4J_URI both start the repo's own Neo4j 5 (scripts/neo4j, from Maven Central).
# make run uses .data/neo4j on port 7687; make test a separate instance (.data/neo4j-test,
# port 7697) whose data the tests delete. With NEO4J_URI set, nothing is started: make run
# uses that database, and make test uses NEO4J_TEST_URI (default: NEO4J_URI — its content
# is deleted by the tests, so point it at a throwaway database).

SHELL := /bin/bash
GO ?= go
BIN := bin/partnergraph

NEO4J_USER ?= neo4j
NEO4J_PASSWORD ?= partnergraph
export NEO4J_USER NEO4J_PASSWORD

TEST_PORT ?= 7697
TEST_DATA_DIR ?= .data/neo4j-test
NEO4J_TEST_URI ?= $(if $(NEO4J_URI),$(NEO4J_URI),bolt://127.0.0.1:$(TEST_PORT))
export NEO4J_TEST_URI
export NEO4J_TEST_USER ?= $(NEO4J_USER)
export NEO4J_TEST_PASSWORD ?= $(NEO4J_PASSWORD)

# Development defaults for make run; override them in the environment.
EDITOR_API_KEYS ?= dev=dev-editor-key
ANALYST_API_KEYS ?= dev-analyst=dev-analyst-key
CORS_ALLOWED_ORIGINS ?= http://127.0.0.1:8080,http://localhost:8080
export EDITOR_API_KEYS ANALYST_API_KEYS CORS_ALLOWED_ORIGINS

.PHONY: run test build generate check-generate lint neo4j-start neo4j-stop neo4j-status \
        neo4j-test-start neo4j-test-stop clean

build:
	$(GO) build -o $(BIN) ./cmd/partnergraph

run: build neo4j-start
	SEED_IF_EMPTY=true ./$(BIN) serve

neo4j-start:
	@scripts/neo4j start

neo4j-stop:
	@scripts/neo4j stop

neo4j-status:
	@scripts/neo4j status

neo4j-test-start:
	@NEO4J_PORT=$(TEST_PORT) NEO4J_DATA_DIR=$(TEST_DATA_DIR) scripts/neo4j start

neo4j-test-stop:
	@NEO4J_PORT=$(TEST_PORT) NEO4J_DATA_DIR=$(TEST_DATA_DIR) scripts/neo4j stop

generate:
	$(GO) generate ./...

# Generated code must be reproducible: regenerate and fail on any difference.
check-generate:
	$(GO) generate ./...
	@git diff --exit-code -- graph resolvers gqlgen.yml go.mod go.sum || \
	  { echo "go generate ./... changed files: run it and commit the result" >&2; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all -- graph resolvers)" || \
	  { echo "go generate ./... created files: run it and commit the result" >&2; git status --porcelain -- graph resolvers >&2; exit 1; }

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted" >&2; exit 1; fi
	$(GO) vet ./...

# Packages share one Neo4j database, so they run one at a time (-p 1). Under -race on a loaded
# 2-core machine the server package has needed more than go test's default 10 minutes.
test: lint check-generate neo4j-test-start audit export-python bench/peer/node_modules/.package-lock.json
	$(GO) test -race -p 1 -count=1 -timeout 18m ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=4s
	@$(MAKE) --no-print-directory e2e

clean:
	rm -rf bin

# make bench: the benchmark harness (bench/, `go run ./bench -h`) on its own Neo4j (port 7717,
# .data/neo4j-bench, 1g heap and page cache) with the 1M-relationship generated graph (20000
# organisations, 120000 events, 30000 publications, seed 1: 190,560 entities, 1,003,014
# relations; see generate/). The graph is loaded only when the database's entity counts differ
# from the parameters, or its marker (.data/bench-dataset-<uri>) names other ones; the reports go
# to bench/results/. With NEO4J_BENCH_URI or NEO4J_URI set, nothing is started and that
# database is used (and reloaded if its counts differ: point it at a throwaway one). BENCH_FLAGS
# passes flags, e.g. BENCH_FLAGS='-c 1,8 -d 5s'.
BENCH_PORT ?= 7717
BENCH_DATA_DIR ?= .data/neo4j-bench
BENCH_ORGANISATIONS ?= 20000
BENCH_EVENTS ?= 120000
BENCH_PUBLICATIONS ?= 30000
BENCH_SEED ?= 1
BENCH_LABEL ?= 1m
BENCH_FLAGS ?=
BENCH_EXTERNAL := $(if $(NEO4J_BENCH_URI)$(NEO4J_URI),yes,)
NEO4J_BENCH_URI ?= $(if $(NEO4J_URI),$(NEO4J_URI),bolt://127.0.0.1:$(BENCH_PORT))
BENCH_WANT := organisations=$(BENCH_ORGANISATIONS),events=$(BENCH_EVENTS),publications=$(BENCH_PUBLICATIONS)
BENCH_MARKER := $(BENCH_WANT),seed=$(BENCH_SEED)
BENCH_MARKER_FILE := .data/bench-dataset-$(shell printf '%s' '$(NEO4J_BENCH_URI)' | tr -c 'A-Za-z0-9' '_')

.PHONY: bench bench-dataset neo4j-bench-start bench-analytics bench-feed

neo4j-bench-start:
ifeq ($(BENCH_EXTERNAL),)
	@NEO4J_PORT=$(BENCH_PORT) NEO4J_DATA_DIR=$(BENCH_DATA_DIR) NEO4J_HEAP=1g NEO4J_PAGECACHE=1g scripts/neo4j start
else
	@echo "bench: using $(NEO4J_BENCH_URI); no Neo4j started"
endif

bench-dataset: build neo4j-bench-start
	$(GO) build -o bin/bench ./bench
	@marker="$$(cat $(BENCH_MARKER_FILE) 2>/dev/null)"; \
	if { [ -z "$$marker" ] || [ "$$marker" = "$(BENCH_MARKER)" ]; } && \
	   NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -check-dataset $(BENCH_WANT); then \
	  echo "bench: dataset $(BENCH_WANT) seed $(BENCH_SEED) already loaded"; \
	else \
	  NEO4J_URI=$(NEO4J_BENCH_URI) ./$(BIN) generate --organisations $(BENCH_ORGANISATIONS) --events $(BENCH_EVENTS) \
	    --publications $(BENCH_PUBLICATIONS) --seed $(BENCH_SEED) --reset || exit 1; \
	fi; \
	mkdir -p .data && echo "$(BENCH_MARKER)" > $(BENCH_MARKER_FILE)

PEER_DIR := bench/peer

$(PEER_DIR)/node_modules/.package-lock.json: $(PEER_DIR)/package-lock.json $(PEER_DIR)/package.json
	@command -v npm >/dev/null || { echo "bench: needs Node.js 20+ and npm for the peer" >&2; exit 1; }
	cd $(PEER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: bench-classic

bench: bench-dataset $(PEER_DIR)/node_modules/.package-lock.json
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -compare -server $(BIN) -c 1,8 -label $(BENCH_LABEL) $(BENCH_FLAGS)
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -analytics -server $(BIN) -label $(BENCH_LABEL)
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -feed -server $(BIN) -label $(BENCH_LABEL)

# make bench-feed: only the change-feed part of make bench (bench/feed.go).
bench-feed: bench-dataset
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -feed -server $(BIN) -label $(BENCH_LABEL)

# make bench-analytics: only the network analytics part of make bench (bench/analytics.go).
bench-analytics: bench-dataset
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -analytics -server $(BIN) -label $(BENCH_LABEL)

bench-classic: bench-dataset
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -label $(BENCH_LABEL) $(BENCH_FLAGS)

# make bench-attack: the attack mode (bench -attack, bench/attack.go) on the benchmark's Neo4j and
# dataset: the API as production serves it, a trusted anonymous client alone for
# ATTACK_DURATION, then under 4 anonymous and then 4 analyst attackers sending every class of
# hostile document (internal/hostile), each request different. Reports go to
# bench/results/attack-*.md and .json; it fails unless the trusted client's p99 stays within 2x
# and every refusal comes with its code in under 50 ms (anonymous) and 200 ms (analysts).
ATTACK_DURATION ?= 20s

.PHONY: bench-attack

bench-attack: bench-dataset
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -attack -label $(BENCH_LABEL) -d $(ATTACK_DURATION)

# make test-stress: make test STRESS_RUNS times (default 5) while busy loops keep every core
# busy, as CI's shared machine may be; each run's verdict and time go to .data/test-stress.log
# and its output to .data/test-stress-<n>.out. Not part of make test.
STRESS_RUNS ?= 5

.PHONY: test-stress

test-stress:
	@mkdir -p .data; log=.data/test-stress.log; : > $$log; \
	for c in $$(seq $$(nproc)); do ( while :; do :; done ) & done; \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	failed=0; for i in $$(seq $(STRESS_RUNS)); do start=$$(date +%s); \
	  if $(MAKE) --no-print-directory test >.data/test-stress-$$i.out 2>&1; then r=passed; else r=FAILED; failed=$$((failed+1)); fi; \
	  echo "test-stress: run $$i of $(STRESS_RUNS) $$r in $$(( $$(date +%s) - start )) s with $$(nproc) busy loops" | tee -a $$log; \
	done; \
	test $$failed = 0

# make soak: the soak (bench/soak.go) on the same Neo4j and dataset as make bench: the mixed
# documents (anonymous reads from and past the response cache, analyst reads, editor mutations)
# at concurrency SOAK_CONCURRENCY for SOAK_DURATION; every 10 s the process's RSS, Go heap,
# goroutines and open Neo4j sessions are read under load and at rest (the load pauses for it).
# The report goes to bench/results/soak-<time>.md and .json; it fails (exit 1) unless no request
# failed, heap, RSS and goroutines at rest stayed flat and no session stayed open. SOAK_FLAGS
# passes flags, e.g. SOAK_FLAGS='-sample 5s -warmup 30s'.
SOAK_DURATION ?= 10m
SOAK_CONCURRENCY ?= 4
SOAK_FLAGS ?=

.PHONY: soak

soak: bench-dataset
	NEO4J_BENCH_URI=$(NEO4J_BENCH_URI) bin/bench -soak $(SOAK_DURATION) -c $(SOAK_CONCURRENCY) $(SOAK_FLAGS)

# make audit: the GraphQL-over-HTTP conformance audits (the server audits of the npm package
# graphql-http, tools/graphql-http-audit) against the real server: partnergraph serve on a free
# loopback port over the test Neo4j, anonymous, with its response cache. Any error (a failed
# MUST) or warning (a failed SHOULD) fails it. Needs Node.js 20+; npm ci runs only when
# node_modules is missing or older than the lockfile. The audits use anonymous introspection
# and ad-hoc documents, hence APP_ENV=development.
AUDIT_DIR := tools/graphql-http-audit

.PHONY: audit

$(AUDIT_DIR)/node_modules/.package-lock.json: $(AUDIT_DIR)/package-lock.json $(AUDIT_DIR)/package.json
	@command -v npm >/dev/null || { echo "audit: needs Node.js 20+ and npm" >&2; exit 1; }
	cd $(AUDIT_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

audit: build neo4j-test-start $(AUDIT_DIR)/node_modules/.package-lock.json
	@port=$$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })') || exit 1; \
	log=$$(mktemp); \
	HTTP_ADDR=127.0.0.1:$$port NEO4J_URI=$(NEO4J_TEST_URI) NEO4J_USER=$(NEO4J_TEST_USER) NEO4J_PASSWORD=$(NEO4J_TEST_PASSWORD) \
	  SEED_IF_EMPTY=false APP_ENV=development LOG_FORMAT=text ./$(BIN) serve >$$log 2>&1 & pid=$$!; \
	trap 'status=$$?; kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; \
	  if [ $$status != 0 ]; then echo "audit: server log:" >&2; tail -n 20 $$log >&2; fi; rm -f $$log' EXIT; \
	for i in $$(seq 300); do \
	  curl -sf -o /dev/null http://127.0.0.1:$$port/readyz && break; \
	  if [ $$i = 300 ] || ! kill -0 $$pid 2>/dev/null; then echo "audit: the server did not become ready" >&2; exit 1; fi; \
	  sleep 0.1; \
	done; \
	node $(AUDIT_DIR)/audit.mjs http://127.0.0.1:$$port/graphql

# make fuzz: every fuzz target for FUZZTIME each (default 1m), one after the other (go test
# fuzzes one target per run); make test runs them for a few seconds. Entries are
# package:target[:workers]. FuzzHandler runs against the test Neo4j with one worker: each
# worker process empties and seeds that shared database. A failing input is saved under the
# package's testdata/fuzz/<target>/ and replayed by every later go test: commit it with the fix.
FUZZTIME ?= 1m
FUZZ_TARGETS := .:FuzzPageArgs .:FuzzDecodeCursor .:FuzzCheckInput .:FuzzParseDate ./server:FuzzHandler:1

.PHONY: fuzz

fuzz: neo4j-test-start
	@failed=; for t in $(FUZZ_TARGETS); do \
	  IFS=: read -r pkg name workers <<<"$$t"; \
	  echo "fuzz: $$name ($$pkg) for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $${workers:+-parallel=$$workers} $$pkg || failed="$$failed $$name"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed" >&2; exit 1; fi

# make export-python: the Python the export tests read every export back with (networkx, pinned
# with its hash in export/testdata/requirements.txt), in a virtualenv in .data/export-venv;
# quick once installed. Needs python3 3.11+ with venv. EXPORT_PYTHON tells the tests where it
# is; without it, they run the same script (export/testdata/python-env.sh) themselves.
EXPORT_VENV ?= .data/export-venv
EXPORT_PYTHON ?= $(CURDIR)/$(EXPORT_VENV)/bin/python
export EXPORT_PYTHON

.PHONY: export-python

export-python:
	@export/testdata/python-env.sh $(EXPORT_VENV) >/dev/null

# make web: the explorer and the dashboard (web/, TypeScript + Vite) built into web/dist, which
# is committed and embedded in the binary (web/web.go), so `go build` alone serves them. It is
# rebuilt when a source is newer than the build and Node.js with npm is present; without Node,
# or when its packages cannot be installed, the committed web/dist is served as it is. npm ci
# runs only when node_modules is missing or older than the lockfile. `build` (and so run, test
# and bench) depends on it.
WEB_SRC := $(shell find web/src web/queries web/scripts -type f 2>/dev/null) web/explore.html web/dashboard.html \
           web/vite.config.ts web/tsconfig.json web/package.json web/package-lock.json
WEB_DIST := web/dist/explore.html

.PHONY: web e2e screenshots

web: $(WEB_DIST)

build: $(WEB_DIST)

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	@command -v npm >/dev/null || { echo "web: needs Node.js 20.19+ and npm" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_DIST): $(WEB_SRC)
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "web: Node.js not found: serving the committed web/dist (its sources changed since)" >&2; \
	elif ! $(MAKE) --no-print-directory web/node_modules/.package-lock.json; then \
	  echo "web: cannot install web/node_modules: serving the committed web/dist" >&2; \
	else \
	  cd web && npm run build --silent && touch dist/explore.html; \
	fi

# make e2e: the browser tests (web/e2e/run.mjs: playwright-core driving Debian's Chromium, which
# the /usr/bin/chromium rule installs with apt; no browser is ever downloaded) against the real
# server: the test Neo4j is reseeded with the centre dataset (the Go tests wipe it, so make test
# runs this after them), then partnergraph serve on a free loopback port in production mode, so
# the app must work with trusted documents only. Screenshots go to .data/e2e/screenshots;
# make screenshots writes them to docs/screenshots.
E2E_SCREENSHOTS ?= .data/e2e/screenshots
E2E_ANALYST_KEY := e2e-analyst-key-0123456789
E2E_EDITOR_KEY := e2e-editor-key-0123456789

/usr/bin/chromium:
	apt-get update && apt-get install -y chromium

e2e: build neo4j-test-start web/node_modules/.package-lock.json /usr/bin/chromium
	@NEO4J_URI=$(NEO4J_TEST_URI) NEO4J_USER=$(NEO4J_TEST_USER) NEO4J_PASSWORD=$(NEO4J_TEST_PASSWORD) ./$(BIN) seed --reset
	@port=$$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })') || exit 1; \
	log=$$(mktemp); \
	HTTP_ADDR=127.0.0.1:$$port NEO4J_URI=$(NEO4J_TEST_URI) NEO4J_USER=$(NEO4J_TEST_USER) NEO4J_PASSWORD=$(NEO4J_TEST_PASSWORD) \
	  SEED_IF_EMPTY=false APP_ENV=production ANALYST_API_KEYS=e2e=$(E2E_ANALYST_KEY) EDITOR_API_KEYS=e2e-editor=$(E2E_EDITOR_KEY) CORS_ALLOWED_ORIGINS= \
	  LOG_FORMAT=text ./$(BIN) serve >$$log 2>&1 & pid=$$!; \
	trap 'status=$$?; kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; \
	  if [ $$status != 0 ]; then echo "e2e: server log:" >&2; tail -n 20 $$log >&2; fi; rm -f $$log' EXIT; \
	for i in $$(seq 300); do \
	  curl -sf -o /dev/null http://127.0.0.1:$$port/readyz && break; \
	  if [ $$i = 300 ] || ! kill -0 $$pid 2>/dev/null; then echo "e2e: the server did not become ready" >&2; exit 1; fi; \
	  sleep 0.1; \
	done; \
	E2E_ANALYST_KEY=$(E2E_ANALYST_KEY) E2E_EDITOR_KEY=$(E2E_EDITOR_KEY) E2E_SCREENSHOTS=$(E2E_SCREENSHOTS) node web/e2e/run.mjs http://127.0.0.1:$$port

screenshots:
	@$(MAKE) --no-print-directory e2e E2E_SCREENSHOTS=docs/screenshots

# make smoothness: the browser test that draws a synthetic 500-node, 1000-edge network in the
# explorer's network view and pans and zooms it, alone; it prints the layout time and the median
# and p95 frame intervals and writes them to .data/e2e/smoothness.json (docs/web.md).
.PHONY: smoothness

smoothness:
	@$(MAKE) --no-print-directory e2e E2E_ONLY=500-node
