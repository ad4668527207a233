# Throwaway PostgreSQL and Redis on 127.0.0.1 for test.sh and bench/run.sh: each in a temporary
# directory, on a free port, nothing kept. Source this file, then:
#   throwaway_postgres   sets SESSIONROOM_TEST_POSTGRES (a superuser connection string), or returns 1
#   throwaway_redis      sets SESSIONROOM_TEST_REDIS (host:port), or returns 1
#   throwaway_stop       stops both and deletes their directories (call it from an EXIT trap)
# Needs Debian's postgresql and redis-server packages (test.sh installs them when missing).

THROWAWAY_PG_DIR=""
THROWAWAY_REDIS_DIR=""

throwaway_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
throwaway_as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
throwaway_log() { printf '[services] %s\n' "$*" >&2; }

# A port nothing answers on yet (the server started there may still lose a race: callers retry).
throwaway_free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# PostgreSQL runs as the postgres user (initdb refuses root), its unix socket in its own directory too.
throwaway_postgres() {
  local bin started port
  bin=$(throwaway_pg_bin)
  started=$SECONDS
  THROWAWAY_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sessionroom-pg.XXXXXX")
  [ "$(id -u)" -eq 0 ] && chown postgres: "$THROWAWAY_PG_DIR"
  if ! throwaway_as_pg "$bin/initdb" -D "$THROWAWAY_PG_DIR/data" -U postgres --auth=trust --no-locale -E UTF8 >"$THROWAWAY_PG_DIR/initdb.log" 2>&1; then
    cat "$THROWAWAY_PG_DIR/initdb.log" >&2
    throwaway_log "initdb failed"
    return 1
  fi
  for _ in 1 2 3 4 5; do
    port=$(throwaway_free_port)
    if throwaway_as_pg "$bin/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -l "$THROWAWAY_PG_DIR/server.log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $THROWAWAY_PG_DIR" start >/dev/null; then
      export SESSIONROOM_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      throwaway_log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, started in $((SECONDS - started)) s"
      return 0
    fi
  done
  cat "$THROWAWAY_PG_DIR/server.log" >&2 2>/dev/null
  throwaway_log "could not start PostgreSQL"
  return 1
}

# Redis keeps nothing on disk (no snapshots, no append-only file).
throwaway_redis() {
  local port
  THROWAWAY_REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sessionroom-redis.XXXXXX")
  for _ in 1 2 3 4 5; do
    port=$(throwaway_free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$THROWAWAY_REDIS_DIR" --pidfile "$THROWAWAY_REDIS_DIR/redis.pid" --logfile "$THROWAWAY_REDIS_DIR/redis.log" >/dev/null 2>&1
    for _ in $(seq 50); do
      if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ]; then
        export SESSIONROOM_TEST_REDIS="127.0.0.1:$port"
        throwaway_log "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on $SESSIONROOM_TEST_REDIS"
        return 0
      fi
      sleep 0.1
    done
    [ -f "$THROWAWAY_REDIS_DIR/redis.pid" ] && kill "$(cat "$THROWAWAY_REDIS_DIR/redis.pid")" 2>/dev/null
  done
  cat "$THROWAWAY_REDIS_DIR/redis.log" >&2 2>/dev/null
  throwaway_log "could not start Redis"
  return 1
}

throwaway_stop() {
  if [ -n "$THROWAWAY_PG_DIR" ]; then
    [ -f "$THROWAWAY_PG_DIR/data/postmaster.pid" ] && throwaway_as_pg "$(throwaway_pg_bin)/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$THROWAWAY_PG_DIR"
  fi
  if [ -n "$THROWAWAY_REDIS_DIR" ]; then
    [ -f "$THROWAWAY_REDIS_DIR/redis.pid" ] && kill "$(cat "$THROWAWAY_REDIS_DIR/redis.pid")" 2>/dev/null
    rm -rf "$THROWAWAY_REDIS_DIR"
  fi
  return 0
}
