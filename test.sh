#!/usr/bin/env bash
# Runs every SessionRoom test (unit, integration, PostgreSQL, end-to-end in Debian's chromium) on a fresh
# machine: installs what is missing, restores, builds, tests, and prints "N passed, N failed" as its last line.
set -uo pipefail
cd "$(dirname "$0")"

CONFIGURATION=${CONFIGURATION:-Release}
RESULTS=artifacts/test-results
say() { printf '[test.sh] %s\n' "$*" >&2; }
finish() { # passed failed exit-code
  printf '%s passed, %s failed\n' "$1" "$2"
  exit "$3"
}

# 1. Debian's chromium for the browser tests (Playwright cannot download its own browser here),
#    strace, with which the fault tests make the server's disk full or read-only (tests/.../Hardening),
#    and Debian's postgresql and redis-server for the PostgreSQL and two-server tests (only their
#    binaries are used: step 1b starts throwaway ones).
source scripts/throwaway-services.sh
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ -x "$(throwaway_pg_bin)/initdb" ] || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} with apt"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    say "could not install ${missing[*]}"
    finish 0 1 1
  fi
fi
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}

# 1b. A throwaway PostgreSQL (tests/SessionRoom.PostgresTests and the store tests on both providers; each
#     test makes and drops its own database in it) and a throwaway Redis (the two-server tests), on free
#     ports of 127.0.0.1, nothing kept: stopped and deleted on exit, whatever happens (scripts/throwaway-services.sh).
trap throwaway_stop EXIT
trap 'exit 130' INT TERM
throwaway_postgres || finish 0 1 1
throwaway_redis || finish 0 1 1

# 2. Front-end packages pinned by package-lock.json (the SignalR client for the participant page and the Node smoke test).
say "installing npm packages"
if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
  say "npm ci failed"
  finish 0 1 1
fi

# 3. Restore and build everything once.
say "restoring and building ($CONFIGURATION)"
if ! dotnet restore SessionRoom.sln --nologo -v quiet; then
  say "restore failed"
  finish 0 1 1
fi
if ! dotnet build SessionRoom.sln -c "$CONFIGURATION" --no-restore --nologo -v quiet; then
  say "build failed"
  finish 0 1 1
fi

# 4. Run each test project, writing TRX files whose counters are added up below.
rm -rf "$RESULTS" artifacts/reliability
mkdir -p "$RESULTS"
# The hardening tests record what they tried here; docs/reliability.md is written from it (step 6).
export SESSIONROOM_RELIABILITY_DIR="$PWD/artifacts/reliability"
status=0
for project in tests/SessionRoom.UnitTests tests/SessionRoom.IntegrationTests tests/SessionRoom.PostgresTests e2e/SessionRoom.E2ETests; do
  name=$(basename "$project")
  say "running $name"
  if ! dotnet test "$project" -c "$CONFIGURATION" --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$RESULTS"; then
    status=1
  fi
done

# 5. A few seconds of the load generator against the build above (bench/run.sh --smoke), on one server
#    and on two sharing the PostgreSQL and Redis of step 1b: one more test.
say "running the load generator smoke (one server, then two)"
smoke=0
CONFIGURATION="$CONFIGURATION" bench/run.sh --smoke --no-build --targets sessionroom,sessionroom-2 >/dev/null && smoke=1 || status=1

# 6. docs/reliability.md from the figures the hardening tests recorded in this run.
node tests/reliability-report.mjs artifacts/reliability docs/reliability.md >&2 || say "could not write docs/reliability.md"

# 7. Name every failed test with its message, last before the count: a CI log may keep only its end.
node tests/failed-tests.mjs "$RESULTS" || true

# 8. Add up the counters of every TRX file, and the smoke run's.
passed=$smoke
failed=$((1 - smoke))
found=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  found=$((found + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  e=$(printf '%s' "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done
if [ "$found" -lt 4 ]; then
  say "expected 4 test result files, found $found"
  failed=$((failed + 4 - found))
  status=1
fi
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then
  status=1
fi
finish "$passed" "$failed" "$status"
