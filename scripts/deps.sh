#!/usr/bin/env bash
# Installs the Debian packages trondoi needs to build, run and test, when they are missing, and
# the pages' browser libraries from npm (web/package.json: Chart.js) into web/node_modules.
# Usage: scripts/deps.sh [build|test|fuzz]   (test adds the packages the test suite needs, fuzz clang's libFuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
want=(gcc make pkg-config meson ninja-build libmicrohttpd-dev libjansson-dev libsqlite3-dev
      libsodium-dev libpq-dev libqrencode-dev libcurl4-openssl-dev libcairo2-dev libpango1.0-dev libxlsxwriter-dev fonts-dejavu-core
      nodejs)
if [ "${1:-build}" = fuzz ]; then
  want+=(clang libclang-rt-14-dev)
fi
if [ "${1:-build}" = test ]; then
  want+=(libcmocka-dev chromium sqlite3 curl poppler-utils zbar-tools libreoffice-calc-nogui openssl valgrind
         postgresql-15) # tests/pg.sh runs a throwaway cluster of it
fi
missing=()
for p in "${want[@]}"; do
  # nodejs may come from another repository that also ships npm: the command is what matters
  if [ "$p" = nodejs ] && command -v node >/dev/null && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! command -v npm >/dev/null; then missing+=(npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The browser libraries, exactly as web/package-lock.json pins them; again when the lock changes.
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "installing the pages' libraries (web/package-lock.json)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
