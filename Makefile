# Makefile — the front door. `make` installs missing packages and builds build/trondoi;
# `make run` also creates the demo database and serves on 127.0.0.1:8080; `make test` runs every
# test (unit, end-to-end, browser; also under ASan+UBSan) and ends with "N passed, N failed".
.PHONY: all deps build run test bench clean

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

clean:
	rm -rf build build-asan
