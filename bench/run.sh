#!/usr/bin/env bash
# SessionRoom's benchmarks (docs/benchmarks.md): builds in Release, runs the storage benchmarks
# (BenchmarkDotNet) and the live load generator against SessionRoom, the bare SignalR hub and the
# Socket.IO server, writes artifacts/bench/results.md and results.json, and prints the table.
#
#   bench/run.sh                 everything (about 12-14 minutes on 2 cores)
#   bench/run.sh --smoke         a few seconds of every live scenario, SessionRoom only; exits 1 on
#                                any lost, duplicated or failed write (test.sh runs it with
#                                --targets sessionroom,sessionroom-2: one server, then two)
#   bench/run.sh --no-build ...  use what is built already
#   bench/run.sh --repeats 1 --scenarios notes,fanout ...   other options go to the load generator
#   bench/run.sh --targets sessionroom,sessionroom-2        one server beside two servers on PostgreSQL and
#                                Redis (issue 9): throwaway ones are started on 127.0.0.1 for the run
#
# CONFIGURATION (default Release) and BENCH_ARTIFACTS_PATH (a dotnet --artifacts-path, to build
# outside the tree) are read from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIGURATION=${CONFIGURATION:-Release}
OUT=artifacts/bench
smoke=0
build=1
pass=()
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1; pass+=("$arg") ;;
    --no-build) build=0 ;;
    *) pass+=("$arg") ;;
  esac
done
say() { printf '[bench] %s\n' "$*" >&2; }

# Where a project's build output is, in the normal layout or under --artifacts-path.
output() { # project-dir assembly
  if [ -n "${BENCH_ARTIFACTS_PATH:-}" ]; then
    printf '%s/bin/%s/%s/%s' "$BENCH_ARTIFACTS_PATH" "$(basename "$1")" "${CONFIGURATION,,}" "$2"
  else
    printf '%s/bin/%s/net10.0/%s' "$1" "$CONFIGURATION" "$2"
  fi
}

if [ "$build" -eq 1 ]; then
  artifacts=()
  [ -n "${BENCH_ARTIFACTS_PATH:-}" ] && artifacts=(--artifacts-path "$BENCH_ARTIFACTS_PATH")
  for project in src/SessionRoom.Web bench/BareHub bench/SessionRoom.LoadGen bench/SessionRoom.StorageBench; do
    say "building $project ($CONFIGURATION)"
    dotnet build "$project" -c "$CONFIGURATION" --nologo -v quiet "${artifacts[@]}" >&2
  done
fi
if [ "$smoke" -eq 0 ] && [ ! -d node_modules/socket.io ]; then
  say "installing npm packages (socket.io for the baseline)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

export SESSIONROOM_WEB_DLL=${SESSIONROOM_WEB_DLL:-$(output src/SessionRoom.Web SessionRoom.Web.dll)}
export BAREHUB_DLL=${BAREHUB_DLL:-$(output bench/BareHub BareHub.dll)}
loadgen=$(output bench/SessionRoom.LoadGen SessionRoom.LoadGen.dll)
storagebench=$(output bench/SessionRoom.StorageBench SessionRoom.StorageBench.dll)

# Two servers need a PostgreSQL and a Redis: the ones test.sh has started (SESSIONROOM_TEST_POSTGRES and
# SESSIONROOM_TEST_REDIS), or else throwaway ones, gone when the run ends.
if [[ " ${pass[*]} " == *sessionroom-2* ]]; then
  if [ -z "${SESSIONROOM_TEST_POSTGRES:-}" ] || [ -z "${SESSIONROOM_TEST_REDIS:-}" ]; then
    source scripts/throwaway-services.sh
    trap throwaway_stop EXIT
    throwaway_postgres && throwaway_redis || exit 1
  fi
  pass+=(--postgres "$SESSIONROOM_TEST_POSTGRES" --redis "$SESSIONROOM_TEST_REDIS")
fi

if [ "$smoke" -eq 1 ]; then
  dotnet "$loadgen" --out-dir "$OUT/smoke" "${pass[@]}"
  exit $?
fi

mkdir -p "$OUT"
started=$(date +%s)
# The event writer, then the synthesis reads at 10k and 100k events (SessionRoom.StorageBench --filter all|writer|synthesis);
# the synthesis studies are generated once (about 40 s) and kept in $TMPDIR/sessionroom-synthesis-bench for later runs.
say "storage benchmarks (BenchmarkDotNet): the event writer, then the synthesis queries; about 4-5 minutes"
dotnet "$storagebench" --out "$OUT/storage.json" > "$OUT/storage.log" 2>&1 || say "storage benchmarks failed: see $OUT/storage.log"
grep -E 'events/s|^synthesis|wrote' "$OUT/storage.log" >&2 || true
status=0
# The Socket.IO baseline against the official client, so the generator's own Socket.IO client measures a standard server.
node bench/socketio/check.mjs >&2 || status=1
say "live load: SessionRoom, bare hub, Socket.IO, interleaved"
dotnet "$loadgen" --out-dir "$OUT" --storage "$OUT/storage.json" "${pass[@]}" || status=1
say "done in $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s: $OUT/results.md, $OUT/results.json"
exit "$status"
