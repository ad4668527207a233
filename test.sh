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
#    Debian's postgresql for tests/SessionRoom.PostgresTests (only its binaries are used: step 1b),
#    and Debian's redis-server for the tests of fan-out across servers (step 1c).
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
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

# 1b. A throwaway PostgreSQL cluster for the PostgreSQL tests: in a temporary directory, on a free port of
#     127.0.0.1, its unix socket in that directory too, run as the postgres user (initdb refuses root).
#     Each test makes and drops its own database in it. Stopped and deleted on exit, whatever happens.
PG_BIN=$(pg_bin)
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sessionroom-pg.XXXXXX")
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_postgres() {
  [ -f "$PG_DIR/data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sessionroom-redis.XXXXXX")
stop_redis() {
  [ -f "$REDIS_DIR/redis.pid" ] && kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null
  rm -rf "$REDIS_DIR"
}
trap 'stop_postgres; stop_redis' EXIT
trap 'exit 130' INT TERM
pg_started=$SECONDS
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
if ! as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --no-locale -E UTF8 >"$PG_DIR/initdb.log" 2>&1; then
  cat "$PG_DIR/initdb.log" >&2
  say "initdb failed"
  finish 0 1 1
fi
PG_PORT=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  # A port something already answers on is taken; otherwise start there (and try another if that fails).
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
  if as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_DIR" start >/dev/null; then
    PG_PORT=$port
    break
  fi
done
if [ -z "$PG_PORT" ]; then
  cat "$PG_DIR/server.log" >&2 2>/dev/null
  say "could not start PostgreSQL"
  finish 0 1 1
fi
export SESSIONROOM_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT, started in $((SECONDS - pg_started)) s"

# 1c. A throwaway Redis for the two-server tests (tests/SessionRoom.IntegrationTests/Live/TwoServerTests.cs): on a free
#     port of 127.0.0.1, nothing written to disk, stopped on exit with PostgreSQL (the EXIT trap above).
REDIS_PORT=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null 2>&1
  for _ in $(seq 50); do
    [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ] && { REDIS_PORT=$port; break; }
    sleep 0.1
  done
  [ -n "$REDIS_PORT" ] && break
  [ -f "$REDIS_DIR/redis.pid" ] && kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null
done
if [ -z "$REDIS_PORT" ]; then
  cat "$REDIS_DIR/redis.log" >&2 2>/dev/null
  say "could not start Redis"
  finish 0 1 1
fi
export SESSIONROOM_TEST_REDIS="127.0.0.1:$REDIS_PORT"
say "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on $SESSIONROOM_TEST_REDIS"

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

# 5. A few seconds of the load generator against the build above (bench/run.sh --smoke): one more test.
say "running the load generator smoke"
smoke=0
CONFIGURATION="$CONFIGURATION" bench/run.sh --smoke --no-build >/dev/null && smoke=1 || status=1

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
