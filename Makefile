# emissary-go: see README.md. `make test` and `make run` are all a newcomer needs.

SHELL := bash
GO ?= go

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/emissary-go/emissary/internal/version.Version=$(VERSION)

# The real servers the integration tests run are built from source once and
# cached outside the module, keyed by version (hack/tool-versions).
CACHE_HOME := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)
TOOLS_DIR ?= $(or $(EMISSARY_TOOLS_DIR),$(CACHE_HOME)/emissary-go/tools)
export EMISSARY_TOOLS_DIR := $(TOOLS_DIR)

# State of `make run` (config, snapshots, envoy.json) stays in the checkout.
RUN_DIR ?= $(CURDIR)/.run

.PHONY: all build test unit run bench generate check-generated tools lint clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/busy ./cmd/busy

## test: every test, unit and integration, after building what they need.
test: tools
	$(GO) test -race -count=1 ./...

## unit: the quick tests only (no API server, no Consul, no binary builds).
unit:
	$(GO) test -short ./...

## run: the gateway in files mode on examples/, no cluster needed.
run: build
	@mkdir -p $(RUN_DIR)
	AMBASSADOR_CONFIG_BASE_DIR=$(RUN_DIR) bin/busy entrypoint --config-dir examples

## bench: Go benchmarks with allocation figures.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## generate: regenerate checked-in generated files (deepcopy, build/crds.yaml).
generate:
	$(GO) tool controller-gen object paths=./internal/api/...
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		$(GO) tool controller-gen crd paths=./internal/api/... output:crd:dir=$$tmp && \
		$(GO) run ./hack/assemble-crds -in $$tmp -out build/crds.yaml
	cp build/crds.yaml internal/api/getambassador.io/crds.yaml
	$(GO) generate ./...

## check-generated: fail when generated files differ from what generate makes.
check-generated: generate
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "generated files are stale; run 'make generate' and commit:" >&2; \
		git status --porcelain >&2; git diff --stat >&2; exit 1; \
	fi

## tools: build kube-apiserver, etcd and consul into $(TOOLS_DIR) (once);
## install a headless Chromium for the UI test where the system allows.
tools:
	@grep -v '^\s*\(#\|$$\)' hack/tool-versions | while read -r name version; do \
		hack/build-tool.sh "$$name" "$$version" "$(TOOLS_DIR)/$$name-$$version" || exit 1; \
	done
	@hack/install-chromium.sh

## lint: formatting and vet.
lint:
	@unformatted=$$(gofmt -l cmd internal); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:" $$unformatted >&2; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin $(RUN_DIR)
