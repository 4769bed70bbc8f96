# Makefile — the front door. `make` installs missing packages and builds build/trondoi;
# `make run` also creates the demo database and serves on 127.0.0.1:8080; `make test` runs every
# test (unit, end-to-end, browser; also under ASan+UBSan) and ends with "N passed, N failed".
.PHONY: all deps build run test bench fuzz clean

DB ?= var/trondoi.db

all: build

deps:
	@scripts/deps.sh build

build: deps
	@[ -f build/build.ninja ] || meson setup build >/dev/null
	@ninja -C build

run: build
	@mkdir -p $(dir $(DB))
	@build/trondoi init --db $(DB) --demo
	@build/trondoi serve --db $(DB) --listen 127.0.0.1 --port 8080

test:
	@scripts/deps.sh test
	@[ -f build/build.ninja ] || meson setup build >/dev/null
	@ninja -C build >/dev/null
	@[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
	@ninja -C build-asan >/dev/null
	@tests/run.sh

bench: build
	@bench/run.sh

# Each fuzz target runs FUZZ_SECONDS (default 60) under libFuzzer (clang) with ASan+UBSan, from
# the seeds in fuzz/corpus/<target> (which `make test` replays); the inputs it finds go to
# build-fuzz/corpus-<target>, a crash's input to build-fuzz/ — add that one to fuzz/corpus.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps.sh fuzz
	@[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
	@ninja -C build-fuzz >/dev/null
	@for t in json csv dates sniff utf8 vietqr xroad; do echo "fuzz $$t ($(FUZZ_SECONDS) s)"; \
		mkdir -p build-fuzz/corpus-$$t; \
		build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=build-fuzz/ \
			build-fuzz/corpus-$$t fuzz/corpus/$$t 2>&1 | tail -1 || exit 1; done

clean:
	rm -rf build build-asan build-fuzz
