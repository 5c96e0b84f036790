# Service Academy. `make run` serves the demo; `make test` runs every test.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GO ?= go

.PHONY: run build test bench lint clean

## run: build and serve the demo organisation on http://localhost:8080 (embedded SQLite, demo.db)
run: build
	./academy serve --demo --db $${ACADEMY_DB:-demo.db} --addr $${ACADEMY_ADDR:-:8080}

## build: a static, pure-Go binary (no cgo) named academy
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o academy .

## test: the whole suite (PostgreSQL too when ACADEMY_TEST_POSTGRES is set; the browser test when Chromium is installed)
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

## bench: the benchmarks quoted in the README
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -f academy demo.db demo.db-shm demo.db-wal
