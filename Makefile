# Service Academy. `make run` serves the demo; `make test` runs every test.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GO ?= go
# Tools installed with go install (mailpit, the SMTP server of the e-mail tests).
export PATH := $(PATH):$(shell $(GO) env GOPATH 2>/dev/null)/bin

.PHONY: run build test fuzz bench load scale scale-timings lint clean

## run: build and serve the demo organisation on http://localhost:8080 (embedded SQLite, demo.db)
run: build
	./academy serve --demo --db $${ACADEMY_DB:-demo.db} --addr $${ACADEMY_ADDR:-:8080}

## build: a static, pure-Go binary (no cgo) named academy
build:
	@test -x academy || echo "building ./academy: the first build downloads the Go modules and compiles the embedded SQLite (pure Go), a few minutes; later builds take seconds"
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o academy .

## test: the whole suite (PostgreSQL too when ACADEMY_TEST_POSTGRES is set; the browser test when Chromium is installed)
test:
	@if [ -z "$$ACADEMY_TEST_POSTGRES" ]; then echo "note: PostgreSQL store tests skipped: ACADEMY_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); SQLite runs them"; fi
	@if [ ! -x /usr/bin/chromium ]; then echo "note: browser tests skipped: Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"; fi
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...
	FUZZTIME= GO=$(GO) bash .ci/fuzz

## fuzz: every fuzz target (the list is in .ci/fuzz) for FUZZTIME each; make test runs each for a few seconds' worth of inputs
FUZZTIME ?= 60s
fuzz:
	FUZZTIME=$(FUZZTIME) FUZZMINIMIZETIME=10s GO=$(GO) bash .ci/fuzz

## bench: the benchmarks quoted in the README
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./...

## load: wrk against a lesson page as a signed-in staff member (needs wrk: apt-get install wrk)
LOAD_ADDR ?= 127.0.0.1:8099
LOAD_PAGE ?= /learn/mission-vision-promise/our-service-promises
load: build
	@command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk"; exit 1; }
	@rm -f /tmp/academy-load.db*; ./academy serve --demo --db /tmp/academy-load.db --addr $(LOAD_ADDR) --log-level warn >/tmp/academy-load.log 2>&1 & \
	pid=$$!; trap "kill $$pid" EXIT; \
	for i in $$(seq 1 50); do curl -sf http://$(LOAD_ADDR)/healthz >/dev/null && break; sleep 0.2; done; \
	jar=$$(mktemp); curl -s -c $$jar -b $$jar http://$(LOAD_ADDR)/signin -o /tmp/academy-load.html; \
	csrf=$$(grep -o 'name="_csrf" value="[^"]*"' /tmp/academy-load.html | head -1 | sed 's/.*value="//;s/"//'); \
	curl -s -c $$jar -b $$jar -o /dev/null --data-urlencode "_csrf=$$csrf" --data-urlencode "email=aisha.khan@brightwater.example" \
	  --data-urlencode "password=$${ACADEMY_DEMO_PASSWORD:-academy-demo}" http://$(LOAD_ADDR)/signin; \
	sid=$$(awk '$$6 == "academy_session" {print $$7}' $$jar); \
	curl -sf -o /dev/null -H "Cookie: academy_session=$$sid" http://$(LOAD_ADDR)$(LOAD_PAGE) || { echo "sign-in failed"; exit 1; }; \
	wrk -t2 -c32 -d20s --latency -H "Cookie: academy_session=$$sid" http://$(LOAD_ADDR)$(LOAD_PAGE)

## scale: build a 100,000-person organisation with years of history into scale.db (SCALE_EMPLOYEES to change), then serve it with ./academy serve --db scale.db
SCALE_EMPLOYEES ?= 100000
scale: build
	rm -f scale.db scale.db-shm scale.db-wal
	./academy demo --employees $(SCALE_EMPLOYEES) --db scale.db

## scale-timings: serve scale.db (make scale first) and time the reports with curl, five requests each, as HR and as a manager of about 500
SCALE_ADDR ?= 127.0.0.1:8098
SCALE_PAGES_HR ?= /readiness /readiness?as_of=$(shell date -d 'last monday' +%F) /programmes /programmes/induction /certificates /matrix.csv?programme=induction /matrix.xlsx?programme=induction /impact?programme=flagship-standards\&measure=csat
SCALE_PAGES_MANAGER ?= /team /team?sort=status /team/coach /matrix?programme=induction /readiness/standards /impact?programme=flagship-standards\&measure=csat
scale-timings: build
	@test -f scale.db || { echo "scale.db is missing: run make scale first"; exit 1; }
	@./academy serve --db scale.db --addr $(SCALE_ADDR) --log-level warn >/tmp/academy-scale.log 2>&1 & pid=$$!; trap "kill $$pid" EXIT; \
	for i in $$(seq 1 50); do curl -sf http://$(SCALE_ADDR)/healthz >/dev/null && break; sleep 0.2; done; \
	time_pages() { email=$$1; shift; jar=$$(mktemp); \
	  csrf=$$(curl -s -c $$jar -b $$jar http://$(SCALE_ADDR)/signin | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//'); \
	  curl -s -c $$jar -b $$jar -o /dev/null --data-urlencode "_csrf=$$csrf" --data-urlencode "email=$$email" \
	    --data-urlencode "password=$${ACADEMY_DEMO_PASSWORD:-academy-demo}" http://$(SCALE_ADDR)/signin; \
	  for p in "$$@"; do printf '%-45s' "$$p"; for i in 1 2 3 4 5; do curl -s -b $$jar -o /dev/null -w ' %{time_total}s' "http://$(SCALE_ADDR)$$p"; done; echo; done; }; \
	echo "as hr@brightwater.example:"; time_pages hr@brightwater.example $(SCALE_PAGES_HR); \
	echo "as holly.wang@brightwater.example (499 in her line):"; time_pages holly.wang@brightwater.example $(SCALE_PAGES_MANAGER); \
	grep -E 'VmHWM|RssAnon|RssFile' /proc/$$pid/status

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -f academy demo.db demo.db-shm demo.db-wal scale.db scale.db-shm scale.db-wal
