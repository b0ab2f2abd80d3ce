# remotestore — build, test, demo, bench.
#
#   make demo     run the main example on the embedded local store (fresh machine OK)
#   make test     every test, installing and starting what they need (servers bind 127.0.0.1)
#   make bench    the benchmarks named in the README, side by side in one run
#
# Per part: make test-core, test-local, test-s3, test-azure, test-sftp, test-sql, test-http, test-parquet,
# test-cli, test-iomanager, test-python.

SHELL := /bin/bash
GO    ?= go
ROOT  := $(CURDIR)
CACHE := $(ROOT)/.cache
BIN   := $(ROOT)/bin
export PATH := $(CACHE)/bin:$(PATH)
export GOFLAGS ?= -buildvcs=false

GOTEST := $(GO) test -count=1

.PHONY: all build vet demo test test-go test-core test-local test-s3 test-http test-parquet \
        test-cli fuzz bench bench-local bench-parquet tools-s3 python-env clean test-iomanager test-python demo-cli proto proto-check bench-iomanager bench-s3 bench-python \
        tools tools-azure tools-sftp tools-postgres test-azure test-sftp test-sql bench-azure bench-sftp bench-sql

all: build

build:
	$(GO) build ./...
	$(GO) build -o $(BIN)/iomanager ./cmd/iomanager

vet:
	$(GO) vet ./...

## demo: the main job — the quickstart Dagster pipeline on the embedded local default store.
demo:
	bash examples/pipelines/quickstart/run.sh

## demo-cli: a walk-through of the iomanager command line on a local store.
demo-cli: build
	bash examples/cli-walkthrough.sh

## tools: servers and environments the tests need, installed by the project's own scripts.
tools: tools-s3 tools-azure tools-sftp tools-postgres

tools-s3:
	bash scripts/install-versitygw.sh

## tools-azure: Azurite (npm, pinned) into ./.cache/azurite.
tools-azure:
	bash scripts/install-azurite.sh

## tools-sftp: OpenSSH's sshd and sftp-server (Debian package; the system service is not started).
tools-sftp:
	bash scripts/install-sshd.sh

## tools-postgres: PostgreSQL's initdb and postgres (no system cluster is started).
tools-postgres:
	bash scripts/install-postgres.sh

python-env:
	bash scripts/python-env.sh

## test: everything. Servers come up on 127.0.0.1; REMOTESTORE_REQUIRE_SERVERS=1 (CI) turns a missing
## server into a failure instead of a skip.
test: vet tools python-env
	$(GOTEST) -timeout 30m ./...
	$(MAKE) test-python

## test-python: the shim's pytest suite with real Dagster, local and the S3 server (builds the plugin).
test-python: python-env tools
	.venv/bin/python -m pytest python-shim/tests -q

test-core:
	$(GOTEST) ./store/... ./backends/memory/...

test-local:
	$(GOTEST) ./backends/local/...

test-s3: tools-s3
	REMOTESTORE_REQUIRE_SERVERS=1 $(GOTEST) ./backends/s3/... ./internal/testserver/s3/...

test-azure: tools-azure
	REMOTESTORE_REQUIRE_SERVERS=1 $(GOTEST) ./backends/azure/... ./internal/testserver/azurite/...

test-sftp: tools-sftp
	REMOTESTORE_REQUIRE_SERVERS=1 $(GOTEST) ./backends/sftp/... ./internal/testserver/sftp/...

## test-sql: SQLite and a throwaway PostgreSQL cluster on 127.0.0.1, then a -race pass.
test-sql: tools-postgres
	REMOTESTORE_REQUIRE_SERVERS=1 $(GOTEST) -p 1 ./backends/sqlblob/... ./internal/testserver/postgres/...
	REMOTESTORE_REQUIRE_SERVERS=1 $(GOTEST) -race -short -run 'TestConformance/(SQLite|Postgres)/root/(concurrency|atomic|write|errors)|TestRacingWriters|TestAbortLeavesNothing|TestStreamSnapshot|TestSQLiteTwoBackendsOneFile' ./backends/sqlblob/

test-http:
	$(GOTEST) ./backends/http/...

test-parquet: python-env
	$(GOTEST) ./parquet/...

test-cli:
	$(GOTEST) ./cmd/... ./backends/all/...

test-iomanager:
	$(GOTEST) ./iomanager/...

## proto: regenerate Go and Python code from iomanager/proto (protoc from grpcio-tools; plugins into .cache/bin).
proto:
	bash scripts/gen-proto.sh

## proto-check: the checked-in generated code matches the proto.
proto-check: proto
	git diff --exit-code -- iomanager/internal python-shim/src/remotestore_dagster/_pb

## fuzz: a short run of each path fuzz target.
fuzz:
	$(GO) test ./store -run '^$$' -fuzz '^FuzzCleanPath$$' -fuzztime 30s
	$(GO) test ./store -run '^$$' -fuzz '^FuzzJoin$$' -fuzztime 30s

## bench: throughput benchmarks (sizes via REMOTESTORE_BENCH_SIZE, default 1 GiB where it applies).
bench: bench-local bench-s3 bench-azure bench-sftp bench-sql bench-parquet bench-iomanager bench-python

## bench-python: 30 daily partitions through the shim vs UPathIOManager and remote-store (local, S3, S3+20 ms).
bench-python: build tools-s3 python-env
	$(GO) build -o $(BIN)/latency-proxy ./internal/testserver/latency/cmd/latency-proxy
	REMOTESTORE_IOMANAGER_BIN=$(BIN)/iomanager .venv/bin/python python-shim/bench/bench_load.py

bench-s3: tools-s3
	REMOTESTORE_S3_DATA_DIR=/dev/shm $(GO) test -run '^$$' -bench 'Transfer|ListFlat' -benchtime 3x -timeout 30m ./backends/s3

bench-azure: tools-azure
	REMOTESTORE_AZURITE_DATA_DIR=/dev/shm $(GO) test -run '^$$' -bench Transfer -benchtime 10x -timeout 30m ./backends/azure

bench-sftp: tools-sftp
	REMOTESTORE_SFTP_DATA_DIR=/dev/shm $(GO) test -run '^$$' -bench Transfer -benchtime 3x -timeout 30m ./backends/sftp

bench-sql: tools-postgres
	$(GO) test ./backends/sqlblob -run '^$$' -bench Throughput -benchtime 3x -timeout 30m

bench-local:
	$(GO) test ./backends/local -run '^$$' -bench 'Stream' -benchtime 3x -v

bench-iomanager: tools-s3
	$(GO) test ./iomanager -run '^$$' -bench LoadPartitions -benchtime 3x
	REMOTESTORE_S3_DATA_DIR=/dev/shm $(GO) test ./backends/s3 -run '^$$' -bench LoadPartitionsS3 -benchtime 3x -timeout 30m
	$(GO) test ./iomanager/grpcplugin -run '^$$' -bench Transfer -benchtime 2x -timeout 30m

bench-parquet: python-env
	bash scripts/bench-parquet.sh

clean:
	rm -rf $(BIN) $(CACHE)
