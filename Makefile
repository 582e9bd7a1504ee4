# modelwatch development targets. `make test` is the whole test suite and is
# what .ci/run calls; every tool is pinned in tools/go.mod and runs from the
# module cache.

GO        ?= go
TOOL      := $(GO) tool -modfile=tools/go.mod
PKGS      := ./...
BENCH     ?= .
COUNT     ?= 6
FUZZTIME  ?= 10s
VERSION   ?= dev
LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: all build test ci lint fmt vet unit deploy-test fuzz bench bench-compare soak clean

all: build test

## build: a static binary in bin/ (no cgo)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/modelwatch ./cmd/modelwatch

## test: everything CI checks: build without cgo, lint, unit and integration tests (race detector on), deploy checks, short fuzzing
test: build lint unit deploy-test fuzz

ci: test

## unit: go test for the main module, with the race detector
unit:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m $(PKGS)

## deploy-test: deploy/ (a separate module): promtool rule tests, amtool routing tests, the Grafana dashboard, and the end-to-end run through real Prometheus and Alertmanager
deploy-test:
	cd deploy && $(GO) test -count=1 -timeout 20m ./...

## lint: formatting, vet, golangci-lint and tests that would never run
lint: vet
	@out=$$($(TOOL) gofumpt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofumpt would change:"; echo "$$out"; exit 1; fi
	$(TOOL) golangci-lint run ./...
	cd deploy && $(GO) tool -modfile=../tools/go.mod golangci-lint run --config ../.golangci.yml ./...
	@bad=$$(git grep -nE '^func [A-Z][A-Za-z0-9_]*\(t \*testing\.T\)' -- '*_test.go' | grep -v ':func Test' || true); \
		if [ -n "$$bad" ]; then echo "these take *testing.T but do not start with Test, so go test never runs them:"; echo "$$bad"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
	cd deploy && $(GO) vet ./...

## fmt: format every Go file
fmt:
	$(TOOL) gofumpt -w $$(git ls-files '*.go')

## fuzz: run every fuzz target for FUZZTIME (default 10s)
# Go 1.26's fuzzing coordinator can report its own -fuzztime deadline as a
# failure, "context deadline exceeded" with no failing input written, when a
# worker is busy (minimising a new input, say) as time runs out
# (go.dev/issue/75804, fixed in Go 1.27). Such a run is repeated once; any
# other failure, or the same one twice, fails.
fuzz:
	@set -e; run() { $(GO) test -run '^$$' -fuzz "^$$2$$" -fuzztime $(FUZZTIME) $$1 2>&1; }; \
	race() { echo "$$1" | grep -q '^    context deadline exceeded$$' && ! echo "$$1" | grep -q 'Failing input written'; }; \
	for pkg in $$($(GO) list $(PKGS)); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			out=$$(run $$pkg $$f) || { race "$$out" && { echo "  the fuzzing coordinator reported its own deadline as a failure (go.dev/issue/75804); running $$f again"; out=$$(run $$pkg $$f); }; } || \
				{ echo "fuzz $$f in $$pkg failed:"; echo "$$out"; exit 1; }; \
		done; \
	done

## bench: run benchmarks COUNT times into bench.txt and summarise with benchstat
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) -timeout 2h $(PKGS) | tee bench.txt
	$(TOOL) benchstat bench.txt

## bench-compare: benchstat old.txt against bench.txt
bench-compare:
	$(TOOL) benchstat old.txt bench.txt

## soak: load a real server at half its maximum ingest rate for SOAK (8m) with drift checks and queries running; report latency, errors and memory
SOAK ?= 8m
soak:
	$(GO) test -run '^$$' -bench '^BenchmarkSoak$$' -benchtime 1x -timeout 30m ./cmd/modelwatch/ -args -soak.duration $(SOAK)

clean:
	rm -rf bin bench.txt
