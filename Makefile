# Webrunner. The two set-up commands are `make run` and `make test`.

GO        ?= go
BIN       := bin/webrunner
WORKSPACE ?= $(CURDIR)/workspace
ADDR      ?= 127.0.0.1:8080
# make run keeps a generated password here (mode 0600) so that it can be
# found again after the first start.
PASSWORD_FILE ?= $(WORKSPACE).password
# The specs and conformance corpora live beside the repository.
export WEBRUNNER_SHARED ?= $(abspath $(CURDIR)/../shared)
# Browser tests use this Chromium.
export WEBRUNNER_CHROMIUM ?= /usr/bin/chromium

.PHONY: all build run test vet unit chromium bench web generate clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/webrunner

# Starts the IDE on the embedded sample release in ./workspace.
run: build
	@test -s $(PASSWORD_FILE) || { umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' > $(PASSWORD_FILE); }
	@echo "make: the password is in $(PASSWORD_FILE)"
	$(BIN) serve --workspace $(WORKSPACE) --addr $(ADDR) --password-file $(PASSWORD_FILE)

# Everything: vet, unit tests, conformance corpora, browser end-to-end tests.
test: chromium vet
	$(GO) test -count=1 -timeout 15m ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '^third_party/'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go' | grep -v '^third_party/'); exit 1; }
	$(GO) vet ./...

unit:
	$(GO) test -count=1 -short ./...

# Headless Chromium for the browser tests: installed with apt when missing
# and we are root, else a clear failure.
chromium:
	@if command -v $(WEBRUNNER_CHROMIUM) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "make: installing Chromium for the browser tests (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "make: Chromium is required for the browser tests: install it (apt-get install chromium) or set WEBRUNNER_CHROMIUM" >&2; exit 1; \
	fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Regenerates the committed templ code and editor bundle (needs Node/npm).
web: generate
	cd web/editor && npm ci --no-audit --no-fund && npm run build

generate:
	$(GO) tool templ generate

clean:
	rm -rf bin
