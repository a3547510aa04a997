# Faultline — see README.md. `make test` is what CI runs.
GO ?= go
PKGS := ./...

.PHONY: all test short lint bench demo build fuzz clean

all: lint test

## test: the whole suite (what .ci/run runs), with vet and the determinism lint
test: lint
	$(GO) test -count=1 -timeout 30m $(PKGS)
	cd examples && $(GO) vet ./... && $(GO) test -count=1 ./...
	cd deploy/kubernetes/manifesttest && $(GO) vet ./... && $(GO) test -count=1 ./...

## short: the suite with -short (fewer seeds), for a quick loop
short:
	$(GO) test -short $(PKGS)
	cd examples && $(GO) test -short ./...

## lint: gofmt, go vet and the determinism ban list
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -run 'TestDeterminismRules|TestFixtures' ./sim/lint

## bench: every benchmark once; compare runs with benchstat
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 $(PKGS)

## build: the faultline command into ./bin
build:
	$(GO) build -o bin/faultline ./cmd/faultline

## demo: run the embedded default scenario over a few hundred seeds
demo:
	$(GO) run ./cmd/faultline demo

clean:
	rm -rf bin out
