#!/usr/bin/env bash
# Runs the whole stack locally without Docker:
#   bash scripts/stack.sh up      deps, build, infrastructure (persistent), the four services
#   bash scripts/stack.sh down    stops the services and the infrastructure
#   bash scripts/stack.sh status  what runs, and each service's readiness
# Logs and pids: .local/logs, .local/pids. Environment overrides as in README "Configuration".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The project's Node.js (22 LTS) first on PATH: installed into .local by scripts/ensure-node.sh.
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
SERVICES=(intake dossier-tracking on-time-rate reporting)
declare -A PORTS=([intake]=3001 [dossier-tracking]=3002 [on-time-rate]=3003 [reporting]=3004)
LOG_DIR="$ROOT/.local/logs"
PID_DIR="$ROOT/.local/pids"
mkdir -p "$LOG_DIR" "$PID_DIR"

pid_of() {
  local file="$PID_DIR/svc-$1.pid"
  [ -f "$file" ] || return 1
  local pid
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

ready_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1/health/ready" 2>/dev/null || true
}

start_service() {
  local name=$1 port=${PORTS[$1]}
  if pid_of "$name" >/dev/null; then
    echo "    $name already running (pid $(pid_of "$name"))"
    return
  fi
  if port_in_use "$port"; then
    echo "ERROR: port $port for $name is taken by another process; stop it or set PORT" >&2
    exit 1
  fi
  nohup node "dist/apps/$name/src/main.js" >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$PID_DIR/svc-$name.pid"
  echo "    $name started (pid $!, log .local/logs/$name.log)"
}

wait_ready() {
  local name=$1 port=${PORTS[$1]} deadline=$((SECONDS + 120))
  until [ "$(ready_code "$port")" = 200 ]; do
    if ! pid_of "$name" >/dev/null; then
      echo "ERROR: $name exited; last lines of .local/logs/$name.log:" >&2
      tail -n 30 "$LOG_DIR/$name.log" >&2
      exit 1
    fi
    if [ $SECONDS -gt $deadline ]; then
      echo "ERROR: $name not ready after 120 s; last lines of .local/logs/$name.log:" >&2
      tail -n 30 "$LOG_DIR/$name.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "    $name ready on http://127.0.0.1:$port"
}

stop_service() {
  local name=$1 pid
  if pid=$(pid_of "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "    $name stopped"
  fi
  rm -f "$PID_DIR/svc-$name.pid"
}

case "${1:-up}" in
  up)
    bash scripts/ensure-deps.sh
    echo "==> building"
    npm run --silent build
    echo "==> infrastructure"
    bash deploy/local/infra.sh start --mode stack
    echo "==> services"
    for name in "${SERVICES[@]}"; do start_service "$name"; done
    for name in "${SERVICES[@]}"; do wait_ready "$name"; done
    if [ -f scripts/demo.sh ]; then bash scripts/demo.sh; fi
    cat <<TXT

tthc-stats is running.
  Desk API (intake):      http://127.0.0.1:3001/docs   (admin key: \$TTHC_ADMIN_KEY, default dev-admin-key)
  Dossiers:               http://127.0.0.1:3002/docs
  On-time rate:           http://127.0.0.1:3003/metrics
  Reporting:              http://127.0.0.1:3004/docs   (report API)
  Dashboard:              http://127.0.0.1:3004/       (sign in with the admin key)
Stop everything with: npm stop
TXT
    ;;
  down)
    echo "==> services"
    for name in "${SERVICES[@]}"; do stop_service "$name"; done
    echo "==> infrastructure"
    bash deploy/local/infra.sh stop
    ;;
  status)
    for name in "${SERVICES[@]}"; do
      if pid=$(pid_of "$name"); then
        echo "$name: running (pid $pid), /health/ready → $(ready_code "${PORTS[$name]}")"
      else
        echo "$name: stopped"
      fi
    done
    bash deploy/local/infra.sh status || true
    ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
