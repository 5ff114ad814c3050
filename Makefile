# redisctl — run `make` for the list of targets.
GO      ?= go
BIN     := bin/redisctl
PKGS    := ./...
DATADIR ?= ./data
BENCHTIME ?= 1x

.PHONY: help build run test testrace lint fuzz bench bench-go bench-rdb bench-server fixtures clean

help: ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

build: ## build bin/redisctl
	$(GO) build -o $(BIN) ./cmd/redisctl

run: build ## build and start redisctl serve on 127.0.0.1:6379 with data in ./data
	mkdir -p $(DATADIR)
	./$(BIN) serve --bind 127.0.0.1 --port 6379 --dir $(DATADIR)

test: ## vet and run every test (interop tests need redis-server; CI=true makes them mandatory)
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 20m $(PKGS)

testrace: ## the tests under the race detector
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

FUZZTIME ?= 30s
fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; done

bench: bench-go bench-rdb bench-server ## every benchmark (Go micro-benchmarks, then side by side with real Redis)

bench-server: ## redis-benchmark against redis-server and redisctl serve in one sitting, CPU per request
	$(GO) run ./server/bench -n 200000 -rounds 2

bench-go: ## Go micro-benchmarks of every package
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

bench-rdb: ## 1 GB mixed and 1 GB list RDB: decode/encode MB/s, rdb check/dump vs redis-check-rdb (SIZE=1G)
	SIZE=$${SIZE:-1G} bash bench/rdb.sh

fixtures: ## regenerate fixtures/ with the installed redis-server
	$(GO) run ./fixtures/gen -out fixtures

clean: ## remove build output
	rm -rf bin
