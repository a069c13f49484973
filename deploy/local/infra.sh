#!/usr/bin/env bash
# Local infrastructure for tthc-stats: Kafka (KRaft, from Maven Central jars), a MongoDB stand-in
# (mongo-java-server) and Redis (Debian's redis-server), without Docker.
#
#   bash deploy/local/infra.sh start|stop|status|restart [kafka|kafka-N|mongo|redis ...] [--mode test|stack]
#                              [--kafka-brokers N]
#
# - No component names = all three.
# - Kafka is one broker by default. KAFKA_CLUSTER_SIZE=3 (or --kafka-brokers 3) runs a KRaft cluster
#   of 3 combined broker+controller nodes on loopback (ports KAFKA_PORT_BASE, +2, +4; controllers
#   +1, +3, +5), default replication factor 3, min.insync.replicas 2. "kafka" = every broker;
#   "kafka-2" = one broker of the cluster (stop/start it alone for fault tests).
# - start:   idempotent; an already running component is only checked for readiness.
#            With an explicit --mode, a running mongo/redis in the other mode is restarted.
# - stop:    SIGTERM, wait (INFRA_STOP_TIMEOUT, default 30 s), then SIGKILL; pid files removed.
# - status:  one line per component; exit 0 when every selected component is running and ready,
#            3 otherwise.
# - restart: stop + start.
# - --mode stack (default when nothing runs): persistent data in .local/data.
#   --mode test: mongo in memory, redis without persistence.
#
# Components whose address is overridden (KAFKA_BROKERS, MONGO_URL, REDIS_URL pointing somewhere
# other than the local defaults) are "external": never started or stopped, only checked.
#
# State: <repo>/.local/{cache,data,logs,pids}; INFRA_STATE_DIR moves data, logs, pids and generated
# configs elsewhere (jars stay cached in .local/cache) so that a test harness can run its own
# infrastructure beside the shared one, with KAFKA_PORT_BASE, MONGO_PORT and REDIS_PORT.
# See docs/local-infrastructure.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
LOCAL_DIR="$REPO_ROOT/.local"
# Downloaded jars, the compiled stand-in and the CDS archive: shared by every state directory.
CACHE_DIR="$LOCAL_DIR/cache"
STATE_DIR="${INFRA_STATE_DIR:-$LOCAL_DIR}"
[[ "$STATE_DIR" == /* ]] || STATE_DIR="$PWD/$STATE_DIR"
# Generated configuration files (server.properties, redis-*.conf) of this state directory.
GEN_DIR="$STATE_DIR/cache"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
PID_DIR="$STATE_DIR/pids"

ALL_COMPONENTS=(kafka mongo redis)

KAFKA_HOST=127.0.0.1
# Broker n (1-based) listens on KAFKA_PORT_BASE + 2(n-1), its KRaft controller on the port after it.
KAFKA_PORT_BASE="${KAFKA_PORT_BASE:-9092}"
MONGO_HOST=127.0.0.1
MONGO_PORT="${MONGO_PORT:-27017}"
REDIS_HOST=127.0.0.1
REDIS_PORT="${REDIS_PORT:-6379}"
for port_var in KAFKA_PORT_BASE MONGO_PORT REDIS_PORT; do
  [[ "${!port_var}" =~ ^[0-9]+$ && "${!port_var}" -ge 1024 && "${!port_var}" -le 65000 ]] ||
    {
      echo "[infra] error: $port_var must be a port number between 1024 and 65000 (got '${!port_var}')" >&2
      exit 1
    }
done

DEFAULT_MONGO_URL="mongodb://$MONGO_HOST:$MONGO_PORT/tthc"
DEFAULT_REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT"

KAFKA_HEAP_SET="${KAFKA_HEAP:-}"
MONGO_HEAP="${MONGO_HEAP:--Xmx6g}"
# The parallel collector: the stand-in's garbage is short-lived request objects around long-lived
# byte[] documents; it gave 15-40% more end-to-end throughput than G1 (docs/performance.md).
MONGO_GC="${MONGO_GC:--XX:+UseParallelGC}"
STOP_TIMEOUT="${INFRA_STOP_TIMEOUT:-30}"
# Readiness timeouts (seconds); INFRA_START_TIMEOUT overrides all three.
KAFKA_START_TIMEOUT="${INFRA_START_TIMEOUT:-120}"
MONGO_START_TIMEOUT="${INFRA_START_TIMEOUT:-60}"
REDIS_START_TIMEOUT="${INFRA_START_TIMEOUT:-30}"

# Markers put on the java command lines so that a pid can be recognised as ours
# (-Dtthc.infra.component=<component>, e.g. kafka, kafka-2, mongo).
MARKER_PREFIX="-Dtthc.infra.component="

# ------------------------------------------------------------------------------------- output

if [[ -t 1 ]]; then
  C_RED=$'\e[31m' C_GREEN=$'\e[32m' C_YELLOW=$'\e[33m' C_BOLD=$'\e[1m' C_OFF=$'\e[0m'
else
  C_RED='' C_GREEN='' C_YELLOW='' C_BOLD='' C_OFF=''
fi
log() { printf '%s[infra]%s %s\n' "$C_BOLD" "$C_OFF" "$*"; }
warn() { printf '%s[infra] warning:%s %s\n' "$C_YELLOW" "$C_OFF" "$*" >&2; }
err() { printf '%s[infra] error:%s %s\n' "$C_RED" "$C_OFF" "$*" >&2; }
die() {
  err "$*"
  exit 1
}

usage() {
  cat <<EOF
usage: bash deploy/local/infra.sh start|stop|status|restart [kafka|kafka-N|mongo|redis ...] [--mode test|stack]
                                  [--kafka-brokers N]

  start     start the components (idempotent) and wait until they answer by protocol
  stop      stop the components (SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s)
  status    print running/stopped, pid, address and readiness; exit 0 if all ready, else 3
  restart   stop, then start

  --mode stack   persistent data in .local/data (default)
  --mode test    mongo in memory, redis without persistence (used by the test suite)
  --kafka-brokers N   Kafka as a KRaft cluster of N brokers (same as KAFKA_CLUSTER_SIZE=N; default:
                 the size of the cluster recorded in this state directory, else 1)
  kafka-N        one broker of the cluster (e.g. 'stop kafka-2', 'start kafka-2')

Environment: KAFKA_BROKERS, MONGO_URL, REDIS_URL (non-local = external, only checked),
KAFKA_CLUSTER_SIZE (brokers, default 1), KAFKA_PORT_BASE (default 9092), MONGO_PORT (27017),
REDIS_PORT (6379), INFRA_STATE_DIR (data, logs, pids; default .local),
KAFKA_HEAP (default "-Xms256m -Xmx1g", in a cluster "-Xms128m -Xmx512m"), MONGO_HEAP (default "-Xmx6g"),
MONGO_GC (default "-XX:+UseParallelGC"),
KAFKA_JAVA_OPTS / MONGO_JAVA_OPTS (extra JVM flags),
INFRA_START_TIMEOUT (seconds), INFRA_STOP_TIMEOUT (seconds, default 30).
EOF
}

now_ms() { date +%s%3N; }
elapsed() { # elapsed START_MS -> "1.2s"
  local d=$(($(now_ms) - $1))
  printf '%d.%ds' $((d / 1000)) $(((d % 1000) / 100))
}

# ------------------------------------------------------------------------------------- args

ACTION=""
MODE=""
CLUSTER_ARG=""
COMPONENTS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    start | stop | status | restart)
      [[ -z "$ACTION" ]] || {
        usage >&2
        die "only one action allowed (got '$ACTION' and '$1')"
      }
      ACTION="$1"
      ;;
    kafka | mongo | redis | kafka-[0-9]*)
      [[ " ${COMPONENTS[*]-} " == *" $1 "* ]] || COMPONENTS+=("$1")
      ;;
    --kafka-brokers)
      [[ $# -ge 2 ]] || die "--kafka-brokers needs a number of brokers"
      CLUSTER_ARG="$2"
      shift
      ;;
    --kafka-brokers=*) CLUSTER_ARG="${1#--kafka-brokers=}" ;;
    all) COMPONENTS=("${ALL_COMPONENTS[@]}") ;;
    --mode)
      [[ $# -ge 2 ]] || die "--mode needs a value: test or stack"
      MODE="$2"
      shift
      ;;
    --mode=*) MODE="${1#--mode=}" ;;
    -h | --help | help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
  shift
done
[[ -n "$ACTION" ]] || {
  usage >&2
  exit 2
}
if [[ -n "$MODE" && "$MODE" != "test" && "$MODE" != "stack" ]]; then
  die "--mode must be 'test' or 'stack' (got '$MODE')"
fi
[[ ${#COMPONENTS[@]} -gt 0 ]] || COMPONENTS=("${ALL_COMPONENTS[@]}")

# ------------------------------------------------------------------------------------- kafka layout

# Size of the Kafka cluster: --kafka-brokers, else KAFKA_CLUSTER_SIZE, else the size recorded when
# this state directory's Kafka was last started (so 'stop kafka-2' / 'start kafka-2' need no flag),
# else 1.
CLUSTER_FILE="$PID_DIR/kafka.cluster"
RECORDED_SIZE="$(cat "$CLUSTER_FILE" 2>/dev/null || true)"
KAFKA_SIZE="${CLUSTER_ARG:-${KAFKA_CLUSTER_SIZE:-${RECORDED_SIZE:-1}}}"
[[ "$KAFKA_SIZE" =~ ^[1-9]$ ]] || die "the Kafka cluster size must be 1 to 9 brokers (got '$KAFKA_SIZE')"
KAFKA_EXPLICIT_SIZE="${CLUSTER_ARG:-${KAFKA_CLUSTER_SIZE:-}}"
KAFKA_HEAP="${KAFKA_HEAP_SET:-$([[ "$KAFKA_SIZE" -gt 1 ]] && echo '-Xms128m -Xmx512m' || echo '-Xms256m -Xmx1g')}"

is_kafka() { [[ "$1" == kafka || "$1" == kafka-* ]]; }
kafka_index() { if [[ "$1" == kafka ]]; then echo 1; else echo "${1#kafka-}"; fi; }
kafka_port() { echo $((KAFKA_PORT_BASE + 2 * ($(kafka_index "$1") - 1))); }
kafka_controller_port() { echo $(($(kafka_port "$1") + 1)); }
kafka_data_dir() { if [[ "$1" == kafka ]]; then echo "$DATA_DIR/kafka"; else echo "$DATA_DIR/$1"; fi; }
kafka_nodes() { # the broker components of the configured layout
  local i
  if [[ "$KAFKA_SIZE" -eq 1 ]]; then
    echo kafka
  else
    for ((i = 1; i <= KAFKA_SIZE; i++)); do echo "kafka-$i"; done
  fi
}
DEFAULT_KAFKA_BROKERS="$(for n in $(kafka_nodes); do printf '%s:%s,' "$KAFKA_HOST" "$(kafka_port "$n")"; done)"
DEFAULT_KAFKA_BROKERS="${DEFAULT_KAFKA_BROKERS%,}"
# Cluster-wide defaults of the topics and internal topics.
KAFKA_RF=$((KAFKA_SIZE < 3 ? KAFKA_SIZE : 3))
KAFKA_MIN_ISR=$((KAFKA_SIZE >= 3 ? 2 : 1))

# "kafka" = every broker of the layout; "kafka-N" = one broker (cluster only).
expanded=()
for c in "${COMPONENTS[@]}"; do
  case "$c" in
    kafka) mapfile -t -O "${#expanded[@]}" expanded < <(kafka_nodes) ;;
    kafka-*)
      [[ "$KAFKA_SIZE" -gt 1 ]] ||
        die "$c names a broker of a Kafka cluster, but the cluster size is 1 (set KAFKA_CLUSTER_SIZE or --kafka-brokers)"
      [[ "${c#kafka-}" =~ ^[1-9]$ && "${c#kafka-}" -le "$KAFKA_SIZE" ]] ||
        die "$c: the cluster has brokers kafka-1 to kafka-$KAFKA_SIZE"
      expanded+=("$c")
      ;;
    *) expanded+=("$c") ;;
  esac
done
# Always handle in a fixed order: redis, mongo, kafka (fast ones first).
ordered=()
for c in redis mongo $(kafka_nodes); do
  [[ " ${expanded[*]} " == *" $c "* ]] && ordered+=("$c")
done
COMPONENTS=("${ordered[@]}")

# ------------------------------------------------------------------------------------- env / external

KAFKA_BROKERS_EFFECTIVE="${KAFKA_BROKERS:-$DEFAULT_KAFKA_BROKERS}"
MONGO_URL_EFFECTIVE="${MONGO_URL:-$DEFAULT_MONGO_URL}"
REDIS_URL_EFFECTIVE="${REDIS_URL:-$DEFAULT_REDIS_URL}"

# host:port list of a URL (scheme://[user[:pw]@]hosts[/path][?query]) in lower case
url_hosts() {
  local u="${1#*://}"
  u="${u%%/*}"
  u="${u%%\?*}"
  u="${u##*@}"
  printf '%s' "${u,,}"
}

is_external() {
  local c="$1" hosts
  case "$c" in
    kafka | kafka-*)
      # local when every listed broker is one of ours
      local broker
      hosts="${KAFKA_BROKERS_EFFECTIVE// /}"
      hosts="${hosts,,}"
      for broker in ${hosts//,/ }; do
        broker="${broker/#localhost:/127.0.0.1:}"
        [[ ",$DEFAULT_KAFKA_BROKERS," == *",$broker,"* ]] || return 0
      done
      return 1
      ;;
    mongo)
      [[ "$MONGO_URL_EFFECTIVE" == mongodb://* ]] || return 0
      hosts="$(url_hosts "$MONGO_URL_EFFECTIVE")"
      [[ "$hosts" != "127.0.0.1:$MONGO_PORT" && "$hosts" != "localhost:$MONGO_PORT" &&
        "$hosts" != "127.0.0.1" && "$hosts" != "localhost" ]]
      ;;
    redis)
      [[ "$REDIS_URL_EFFECTIVE" == redis://* ]] || return 0
      hosts="$(url_hosts "$REDIS_URL_EFFECTIVE")"
      [[ "$hosts" != "127.0.0.1:$REDIS_PORT" && "$hosts" != "localhost:$REDIS_PORT" &&
        "$hosts" != "127.0.0.1" && "$hosts" != "localhost" ]]
      ;;
  esac
}

address_of() {
  case "$1" in
    kafka) printf '%s' "$KAFKA_BROKERS_EFFECTIVE" ;;
    kafka-*) printf '%s:%s' "$KAFKA_HOST" "$(kafka_port "$1")" ;;
    mongo) printf '%s' "$MONGO_URL_EFFECTIVE" | sed -E 's#//[^/@]*@#//***@#' ;;
    redis) printf '%s' "$REDIS_URL_EFFECTIVE" | sed -E 's#//[^/@]*@#//***@#' ;;
  esac
}

ports_of() {
  case "$1" in
    kafka | kafka-*) echo "$(kafka_port "$1") $(kafka_controller_port "$1")" ;;
    mongo) echo "$MONGO_PORT" ;;
    redis) echo "$REDIS_PORT" ;;
  esac
}

# ------------------------------------------------------------------------------------- processes

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }
mode_file() { printf '%s/%s.mode' "$PID_DIR" "$1"; }
log_file() { printf '%s/%s.log' "$LOG_DIR" "$1"; }

# Is PID a live process that is our component C?
pid_is_ours() {
  local c="$1" pid="$2" cmdline comm
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0 # no procfs: trust the pid file
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  case "$c" in
    kafka | kafka-* | mongo) [[ "$cmdline" == *"$MARKER_PREFIX$c "* ]] ;;
    redis)
      comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
      [[ "$comm" == redis-server* || "$cmdline" == *redis-server* ]]
      ;;
  esac
}

# Prints the pid of our running component C (and cleans up a stale pid file), or fails.
running_pid() {
  local c="$1" f pid
  f="$(pid_file "$c")"
  [[ -f "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f" 2>/dev/null || true)"
  if pid_is_ours "$c" "$pid"; then
    printf '%s' "$pid"
    return 0
  fi
  rm -f "$f" "$(mode_file "$c")"
  return 1
}

port_open() { # port_open PORT: something accepts TCP connections on 127.0.0.1:PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port_owner() { # best-effort description of the listener on PORT
  local out=""
  if command -v ss >/dev/null 2>&1; then
    out="$(ss -Hltnp "sport = :$1" 2>/dev/null | sed -nE 's/.*users:\(\("([^"]*)",pid=([0-9]+).*/\1 (pid \2)/p' | head -1 || true)"
  fi
  if [[ -z "$out" ]] && command -v lsof >/dev/null 2>&1; then
    out="$(lsof -nP -iTCP:"$1" -sTCP:LISTEN 2>/dev/null | awk 'NR==2 {print $1" pid="$2}')"
  fi
  printf '%s' "${out:-unknown process}"
}

check_ports_free() { # check_ports_free COMPONENT: fail if one of its ports is taken by a stranger
  local c="$1" p
  for p in $(ports_of "$c"); do
    if port_open "$p"; then
      local what="port 127.0.0.1:$p"
      if is_kafka "$c" && [[ "$p" == "$(kafka_controller_port "$c")" ]]; then
        what="port 127.0.0.1:$p (Kafka's KRaft controller listener)"
      fi
      err "$c: $what is already in use by $(port_owner "$p"), which was not started by infra.sh."
      err "  Stop that process, or point the services at it with the matching env variable"
      err "  (KAFKA_BROKERS / MONGO_URL / REDIS_URL) so that infra.sh treats it as external."
      return 1
    fi
  done
}

# launch COMPONENT CMD...: starts CMD detached (own session), stdout/stderr appended to the log,
# writes the pid file. The pid is that of CMD itself (exec), not of a wrapper.
launch() {
  local c="$1"
  shift
  local logf pidf
  logf="$(log_file "$c")"
  pidf="$(pid_file "$c")"
  rotate_log "$logf"
  printf '\n===== %s infra.sh: starting %s =====\n' "$(date -Is)" "$c" >>"$logf"
  rm -f "$pidf"
  # 9>&-: do not hand the infra.sh lock to the long-running process
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$logf" 2>&1 9>&- &
  local i
  for i in $(seq 1 50); do
    [[ -s "$pidf" ]] && break
    sleep 0.1
  done
  [[ -s "$pidf" ]] || die "$c: could not start (no pid written); see $(log_file "$c")"
}

rotate_log() { # keep logs bounded: move a log over 50 MiB to .1
  local f="$1" size
  [[ -f "$f" ]] || return 0
  size="$(stat -c %s "$f" 2>/dev/null || echo 0)"
  if ((size > 52428800)); then
    mv -f "$f" "$f.1"
  fi
}

# stop_pids NAME=PID...: SIGTERM to all at once, wait up to STOP_TIMEOUT, then SIGKILL the rest.
stop_pids() {
  local t0 spec c pid i alive failed=0
  t0="$(now_ms)"
  for spec in "$@"; do
    kill -TERM "${spec#*=}" 2>/dev/null || true
  done
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    alive=0
    for spec in "$@"; do
      kill -0 "${spec#*=}" 2>/dev/null && alive=1
    done
    ((alive)) || break
    sleep 0.1
  done
  for spec in "$@"; do
    c="${spec%%=*}"
    pid="${spec#*=}"
    local how=clean
    if kill -0 "$pid" 2>/dev/null; then
      how=killed
      warn "$c (pid $pid) did not stop within ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
    if kill -0 "$pid" 2>/dev/null; then
      err "$c (pid $pid) is still alive after SIGKILL"
      failed=1
    else
      rm -f "$(pid_file "$c")" "$(mode_file "$c")"
      ! is_kafka "$c" || kafka_cds_commit "$how"
      log "$c stopped (pid $pid, $(elapsed "$t0"))"
    fi
  done
  return "$failed"
}

print_log_tail() {
  local c="$1" f
  f="$(log_file "$c")"
  [[ -f "$f" ]] || return 0
  # only the lines written since the last start (at most 40)
  err "last lines of $f:"
  awk '/^===== .* infra.sh: starting / { n = 0 }
       { buf[n % 40] = $0; n++ }
       END { for (i = (n > 40 ? n - 40 : 0); i < n; i++) print "    " buf[i % 40] }' "$f" >&2 || true
}

# ------------------------------------------------------------------------------------- prerequisites

NODE_OK=""
node_ready() { # node + the client packages are needed for protocol readiness checks
  if [[ -z "$NODE_OK" ]]; then
    NODE_OK=no
    if command -v node >/dev/null 2>&1 && [[ -d "$REPO_ROOT/node_modules/kafkajs" &&
      -d "$REPO_ROOT/node_modules/mongodb" && -d "$REPO_ROOT/node_modules/ioredis" ]]; then
      NODE_OK=yes
    fi
  fi
  [[ "$NODE_OK" == yes ]]
}

require_node() {
  command -v node >/dev/null 2>&1 || die "node is not installed; it is needed for the readiness checks (deploy/local/ready.mjs)."
  node_ready || die "node_modules is missing kafkajs / mongodb / ioredis: run 'npm install' (or 'npm ci') in the repository first."
}

JAVA_VERSION_TEXT=""
require_java() {
  [[ -z "$JAVA_VERSION_TEXT" ]] || return 0
  command -v java >/dev/null 2>&1 ||
    die "java is not installed (Java 17+ needed for Kafka and the MongoDB stand-in). Install it, e.g.: apt-get install -y openjdk-17-jdk-headless"
  local v
  JAVA_VERSION_TEXT="$(java -version 2>&1 || true)"
  v="$(sed -nE 's/.*version "([0-9]+)(\.[0-9]+)*.*/\1/p' <<<"$JAVA_VERSION_TEXT" | head -1 || true)"
  if [[ "$v" == 1 ]]; then v=8; fi
  if [[ -n "$v" && "$v" -lt 17 ]]; then
    die "java $v found, but Java 17+ is needed. Install e.g. openjdk-17-jdk-headless and put it first on PATH."
  fi
}

require_javac() {
  command -v javac >/dev/null 2>&1 ||
    die "javac is not installed (needed once to compile the MongoDB stand-in). Install a JDK, e.g.: apt-get install -y openjdk-17-jdk-headless"
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "mvn (Maven) is not installed; it is needed once to download the jars from Maven Central. Install it, e.g.: apt-get install -y maven"
}

file_hash() { sha256sum "$1" | cut -c1-64; }

# copy_deps NAME: resolve deploy/local/java/NAME/pom.xml into .local/cache/NAME-libs (cached; redone
# only when the pom changes).
copy_deps() {
  local name="$1" pom out stamp want t0
  pom="$SCRIPT_DIR/java/$name/pom.xml"
  out="$CACHE_DIR/$name-libs"
  stamp="$out/.pom.sha256"
  want="$(file_hash "$pom")"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$out/*.jar" >/dev/null; then
    return 0
  fi
  require_mvn
  t0="$(now_ms)"
  log "$name: downloading jars from Maven Central (once; cached in .local/cache/$name-libs) ..."
  rm -rf "$out.tmp"
  mkdir -p "$out.tmp"
  local mvn_log="$LOG_DIR/maven-$name.log"
  if ! mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
    -DoutputDirectory="$out.tmp" >"$mvn_log" 2>&1; then
    err "$name: Maven could not resolve the jars (see $mvn_log):"
    tail -n 30 "$mvn_log" | sed 's/^/    /' >&2
    rm -rf "$out.tmp"
    exit 1
  fi
  rm -rf "$out"
  mv "$out.tmp" "$out"
  printf '%s' "$want" >"$stamp"
  log "$name: jars ready ($(find "$out" -name '*.jar' | wc -l) files, $(elapsed "$t0"))"
}

# ------------------------------------------------------------------------------------- kafka

kafka_prepare() { # kafka_prepare NODE...: config of every broker of the layout, storage of NODE... formatted
  require_java
  copy_deps kafka
  mkdir -p "$CACHE_DIR/kafka" "$GEN_DIR/kafka"
  local node voters="" cid=""
  for node in $(kafka_nodes); do
    voters+="$(kafka_index "$node")@$KAFKA_HOST:$(kafka_controller_port "$node"),"
    # a cluster shares one id: take it from a node already formatted
    if [[ -z "$cid" && -f "$(kafka_data_dir "$node")/meta.properties" ]]; then
      cid="$(sed -n 's/^cluster.id=//p' "$(kafka_data_dir "$node")/meta.properties")"
    fi
  done
  voters="${voters%,}"
  [[ -n "$cid" ]] || cid="$(kafka_cluster_id)"
  for node in $(kafka_nodes); do
    local props data port cport
    props="$(kafka_props_file "$node")"
    data="$(kafka_data_dir "$node")"
    port="$(kafka_port "$node")"
    cport="$(kafka_controller_port "$node")"
    mkdir -p "$data"
    cat >"$props" <<EOF
# Generated by deploy/local/infra.sh on every start; edit the script, not this file.
# Node $(kafka_index "$node") of a cluster of $KAFKA_SIZE (KRaft, combined broker + controller).
process.roles=broker,controller
node.id=$(kafka_index "$node")
controller.quorum.voters=$voters
listeners=PLAINTEXT://$KAFKA_HOST:$port,CONTROLLER://$KAFKA_HOST:$cport
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
num.partitions=1
default.replication.factor=$KAFKA_RF
offsets.topic.replication.factor=$KAFKA_RF
offsets.topic.num.partitions=1
# Transactions (intake publishes each request in one): the coordinator's log needs as many
# replicas as there are brokers up to 3, and acknowledges with min.isr of them.
transaction.state.log.replication.factor=$KAFKA_RF
transaction.state.log.min.isr=$KAFKA_MIN_ISR
transaction.state.log.num.partitions=1
min.insync.replicas=$KAFKA_MIN_ISR
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=104857600
log.retention.check.interval.ms=300000
EOF
  done
  for node in "$@"; do
    local data
    data="$(kafka_data_dir "$node")"
    if [[ ! -f "$data/meta.properties" ]]; then
      local t0 fmt_log="$LOG_DIR/$node-format.log"
      t0="$(now_ms)"
      log "$node: formatting KRaft storage in $data (cluster id $cid) ..."
      if ! java -Xmx256m -cp "$CACHE_DIR/kafka-libs/*" \
        -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/log4j.properties" \
        -Dtthc.kafka.log.file="$fmt_log" \
        kafka.tools.StorageTool format -t "$cid" -c "$(kafka_props_file "$node")" --ignore-formatted >>"$fmt_log" 2>&1; then
        err "$node: formatting the storage failed (see $fmt_log):"
        tail -n 30 "$fmt_log" | sed 's/^/    /' >&2
        exit 1
      fi
      log "$node: storage formatted ($(elapsed "$t0"))"
    fi
  done
}

kafka_props_file() { # the generated server.properties of a broker
  if [[ "$1" == kafka ]]; then echo "$GEN_DIR/kafka/server.properties"; else echo "$GEN_DIR/kafka/server-${1#kafka-}.properties"; fi
}

# A Kafka cluster id is 16 random bytes, URL-safe base64 without padding (22 chars), not starting with '-'.
kafka_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s' "$id"
}

# Class-data sharing (AppCDS) archive of the broker's classes: the first run dumps it when the
# broker exits cleanly, later runs map it, which cuts about a second off every Kafka start.
# Keyed by the JVM and the jar set; KAFKA_CDS=0 disables it.
kafka_cds_flags() {
  [[ "${KAFKA_CDS:-1}" == 1 ]] || return 0
  local key archive
  key="$({
    printf '%s\n' "$JAVA_VERSION_TEXT"
    readlink -f "$(command -v java)"
    cat "$CACHE_DIR/kafka-libs/.pom.sha256"
  } | sha256sum | cut -c1-16)"
  archive="$CACHE_DIR/kafka/cds-$key.jsa"
  if [[ -s "$archive" ]]; then
    printf '%s\n' "-XX:SharedArchiveFile=$archive" "-Xlog:cds*=off"
  else
    # written to .tmp; kafka_cds_commit renames it after a clean exit (a killed dump is discarded)
    find "$CACHE_DIR/kafka" -maxdepth 1 -name 'cds-*.jsa*' -delete 2>/dev/null || true
    printf '%s\n' "-XX:ArchiveClassesAtExit=$archive.tmp" "-Xlog:cds*=off"
  fi
}

# kafka_cds_commit clean|killed: called after the broker process is gone
kafka_cds_commit() {
  local tmp
  for tmp in "$CACHE_DIR"/kafka/cds-*.jsa.tmp; do
    [[ -e "$tmp" ]] || continue
    if [[ "$1" == clean && -s "$tmp" ]]; then
      mv -f "$tmp" "${tmp%.tmp}"
    else
      rm -f "$tmp"
    fi
  done
}

kafka_launch() { # kafka_launch NODE
  local node="$1" cds=()
  # the first broker dumps the class-data sharing archive; the others only map an existing one
  if [[ "$(kafka_index "$node")" == 1 ]] || compgen -G "$CACHE_DIR/kafka/cds-*.jsa" >/dev/null; then
    mapfile -t cds < <(kafka_cds_flags)
    kafka_cds_commit killed # leftover of a broker that died without a clean exit
  fi
  # shellcheck disable=SC2086 # KAFKA_HEAP / KAFKA_JAVA_OPTS are lists of JVM flags
  launch "$node" java $KAFKA_HEAP ${KAFKA_JAVA_OPTS:-} "$MARKER_PREFIX$node" "${cds[@]}" \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:-OmitStackTraceInFastThrow -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/log4j.properties" \
    -Dtthc.kafka.log.file="$(log_file "$node")" \
    -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$CACHE_DIR/kafka-libs/*" \
    kafka.Kafka "$(kafka_props_file "$node")"
}

# ------------------------------------------------------------------------------------- mongo

mongo_prepare() {
  require_java
  copy_deps mongo
  local src="$SCRIPT_DIR/java/mongo/src/main/java/MongoStandIn.java"
  local out="$CACHE_DIR/mongo-classes"
  local stamp="$out/.src.sha256" want
  want="$(file_hash "$src")-$(file_hash "$SCRIPT_DIR/java/mongo/pom.xml")"
  if [[ -f "$out/MongoStandIn.class" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  require_javac
  log "mongo: compiling MongoStandIn.java (once; cached in .local/cache/mongo-classes) ..."
  rm -rf "$out"
  mkdir -p "$out"
  if ! javac -nowarn -d "$out" -cp "$CACHE_DIR/mongo-libs/*" "$src" >"$LOG_DIR/mongo-javac.log" 2>&1; then
    err "mongo: compiling MongoStandIn.java failed:"
    sed 's/^/    /' "$LOG_DIR/mongo-javac.log" >&2
    rm -rf "$out"
    exit 1
  fi
  printf '%s' "$want" >"$stamp"
}

mongo_launch() {
  local mode="$1"
  mkdir -p "$DATA_DIR/mongo"
  # shellcheck disable=SC2086 # MONGO_HEAP / MONGO_JAVA_OPTS are lists of JVM flags
  # shellcheck disable=SC2086 # MONGO_GC is a JVM flag or empty
  launch mongo java $MONGO_HEAP $MONGO_GC ${MONGO_JAVA_OPTS:-} "${MARKER_PREFIX}mongo" \
    -Djava.awt.headless=true \
    -cp "$CACHE_DIR/mongo-classes:$CACHE_DIR/mongo-libs/*" \
    MongoStandIn --mode "$mode" --host "$MONGO_HOST" --port "$MONGO_PORT" \
    --data-file "$DATA_DIR/mongo/tthc.mv"
  printf '%s\n' "$mode" >"$(mode_file mongo)"
}

# ------------------------------------------------------------------------------------- redis

redis_prepare() {
  if ! command -v redis-server >/dev/null 2>&1; then
    if [[ "$(id -u)" -ne 0 ]]; then
      die "redis-server is not installed. Install Debian's package as root: 'sudo apt-get install -y redis-server' (or point REDIS_URL at a running Redis)."
    fi
    local t0
    t0="$(now_ms)"
    log "redis: installing Debian's redis-server (apt-get) ..."
    local apt_log="$LOG_DIR/apt-redis.log"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; } >"$apt_log" 2>&1; then
      err "redis: apt-get install redis-server failed (see $apt_log):"
      tail -n 20 "$apt_log" | sed 's/^/    /' >&2
      exit 1
    fi
    log "redis: installed $(redis-server --version | sed -nE 's/.*v=([0-9.]+).*/\1/p') ($(elapsed "$t0"))"
    stop_distro_redis
  fi
}

# The Debian package may start its own service on 6379 right after installation; we want ours.
stop_distro_redis() {
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl stop redis-server >/dev/null 2>&1 || true
    systemctl disable redis-server >/dev/null 2>&1 || true
  fi
  if command -v service >/dev/null 2>&1; then
    service redis-server stop >/dev/null 2>&1 || true
  fi
  local pid i
  for pid in $(pgrep -x redis-server 2>/dev/null || true); do
    # only the distro's instance (its config is /etc/redis/redis.conf and it is not in our pid file)
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    if [[ "$pid" != "$(cat "$(pid_file redis)" 2>/dev/null || true)" &&
      ("$cmdline" == *"$REDIS_HOST:$REDIS_PORT"* || "$cmdline" == */etc/redis*) ]]; then
      log "redis: stopping the distribution's redis-server (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  done
}

redis_launch() {
  local mode="$1" conf="$GEN_DIR/redis/redis-$1.conf" dir="$DATA_DIR/redis"
  if [[ "$mode" == test ]]; then
    # test mode starts empty: its own directory, wiped on every start (stack data stays untouched)
    dir="$DATA_DIR/redis-test"
    rm -rf "$dir"
  fi
  mkdir -p "$GEN_DIR/redis" "$dir"
  {
    echo "# Generated by deploy/local/infra.sh (mode $mode); edit the script, not this file."
    echo "bind $REDIS_HOST"
    echo "port $REDIS_PORT"
    echo "protected-mode yes"
    echo "daemonize no"
    echo "supervised no"
    echo "logfile \"\""
    echo "loglevel notice"
    echo "databases 16"
    echo "dir \"$dir\""
    echo "maxmemory-policy noeviction"
    echo "tcp-keepalive 60"
    if [[ "$mode" == test ]]; then
      echo 'save ""'
      echo "appendonly no"
    else
      echo "save 3600 1 300 100 60 10000"
      echo "dbfilename dump.rdb"
      echo "appendonly yes"
      echo "appendfsync everysec"
    fi
  } >"$conf"
  # logfile "" = stdout, which launch() appends to .local/logs/redis.log
  launch redis redis-server "$conf"
  printf '%s\n' "$mode" >"$(mode_file redis)"
}

# ------------------------------------------------------------------------------------- actions

# ready COMPONENT... [-- extra ready.mjs args]: protocol readiness via ready.mjs
# Kafka brokers are checked as one "kafka" (every broker of the layout must be registered).
ready_check() {
  local timeout="$1"
  shift
  (
    export KAFKA_BROKERS="$KAFKA_BROKERS_EFFECTIVE" MONGO_URL="$MONGO_URL_EFFECTIVE" REDIS_URL="$REDIS_URL_EFFECTIVE"
    if [[ "$KAFKA_SIZE" -gt 1 && -z "${KAFKA_BROKERS_ONE:-}" ]]; then export KAFKA_EXPECTED_BROKERS="$KAFKA_SIZE"; fi
    [[ -z "${KAFKA_BROKERS_ONE:-}" ]] || export KAFKA_BROKERS="$KAFKA_BROKERS_ONE"
    cd "$REPO_ROOT" && node "$SCRIPT_DIR/ready.mjs" --timeout "$timeout" "$@"
  )
}

# The ready.mjs component of a component (every broker is "kafka").
probe_name() { if is_kafka "$1"; then echo kafka; else echo "$1"; fi; }

# Refuses to mix layouts in one state directory (e.g. start a cluster while the single broker runs).
check_kafka_layout() {
  local other
  if [[ "$KAFKA_SIZE" -eq 1 ]]; then
    for other in "$PID_DIR"/kafka-*.pid; do
      [[ -e "$other" ]] || continue
      if running_pid "$(basename "$other" .pid)" >/dev/null; then
        die "a Kafka cluster of ${RECORDED_SIZE:-several} brokers runs in $STATE_DIR; stop it first (infra.sh stop kafka --kafka-brokers ${RECORDED_SIZE:-3})"
      fi
    done
  elif running_pid kafka >/dev/null; then
    die "the single Kafka broker runs in $STATE_DIR; stop it first (infra.sh stop kafka --kafka-brokers 1), or use another INFRA_STATE_DIR / KAFKA_PORT_BASE"
  elif [[ -n "$RECORDED_SIZE" && "$RECORDED_SIZE" != "$KAFKA_SIZE" ]]; then
    for other in "$PID_DIR"/kafka-*.pid; do
      [[ -e "$other" ]] || continue
      if running_pid "$(basename "$other" .pid)" >/dev/null; then
        die "a Kafka cluster of $RECORDED_SIZE brokers runs in $STATE_DIR; stop it before starting one of $KAFKA_SIZE"
      fi
    done
  fi
}

# mode requested for C ("" = keep whatever runs; default stack)
requested_mode() {
  local c="$1"
  is_kafka "$c" && return 0
  printf '%s' "$MODE"
}

do_start() {
  local t_all c pid running_mode want
  t_all="$(now_ms)"
  mkdir -p "$CACHE_DIR" "$DATA_DIR" "$LOG_DIR" "$PID_DIR"
  require_node

  local to_start=() already=() external=()
  if [[ " ${COMPONENTS[*]} " == *" kafka"* ]] && ! is_external kafka; then check_kafka_layout; fi
  for c in "${COMPONENTS[@]}"; do
    if is_external "$c"; then
      external+=("$c")
      continue
    fi
    if pid="$(running_pid "$c")"; then
      want="$(requested_mode "$c")"
      running_mode="$(cat "$(mode_file "$c")" 2>/dev/null || echo stack)"
      if [[ -n "$want" && "$want" != "$running_mode" ]]; then
        log "$c is running in $running_mode mode; restarting it in $want mode"
        stop_pids "$c=$pid" || exit 1
        to_start+=("$c")
      else
        already+=("$c")
      fi
    else
      to_start+=("$c")
    fi
  done

  # Fail early on ports taken by strangers (before downloading or starting anything).
  # (A redis that is not installed yet is checked after the install, which may start the
  # distribution's own service on the port; redis_prepare stops that one.)
  for c in "${to_start[@]}"; do
    if [[ "$c" == redis ]] && ! command -v redis-server >/dev/null 2>&1; then continue; fi
    check_ports_free "$c" || exit 1
  done

  local kafka_to_start=()
  for c in "${to_start[@]}"; do
    if is_kafka "$c"; then kafka_to_start+=("$c"); else "${c}_prepare"; fi
  done
  if [[ ${#kafka_to_start[@]} -gt 0 ]]; then
    kafka_prepare "${kafka_to_start[@]}"
    printf '%s\n' "$KAFKA_SIZE" >"$CLUSTER_FILE"
  fi
  for c in "${to_start[@]}"; do
    if [[ "$c" == redis ]]; then check_ports_free redis || exit 1; fi
  done

  local watch=() timeout=0
  for c in "${to_start[@]}"; do
    local mode
    mode="$(requested_mode "$c")"
    mode="${mode:-stack}"
    case "$c" in
      kafka | kafka-*)
        kafka_launch "$c"
        ((KAFKA_START_TIMEOUT > timeout)) && timeout=$KAFKA_START_TIMEOUT
        ;;
      mongo)
        mongo_launch "$mode"
        ((MONGO_START_TIMEOUT > timeout)) && timeout=$MONGO_START_TIMEOUT
        ;;
      redis)
        redis_launch "$mode"
        ((REDIS_START_TIMEOUT > timeout)) && timeout=$REDIS_START_TIMEOUT
        ;;
    esac
    pid="$(cat "$(pid_file "$c")")"
    # ready.mjs watches one pid per component: the first broker started stands for Kafka
    if [[ " ${watch[*]-} " != *" $(probe_name "$c")="* ]]; then watch+=(--watch-pid "$(probe_name "$c")=$pid"); fi
    if is_kafka "$c"; then
      log "started $c (pid $pid)"
    else
      log "started $c (pid $pid, mode $mode)"
    fi
  done

  local check=("${to_start[@]}" "${already[@]}" "${external[@]}")
  ((timeout > 0)) || timeout="${INFRA_START_TIMEOUT:-10}" # only already-running / external components
  local out rc=0 probes=()
  for c in "${check[@]}"; do
    [[ " ${probes[*]-} " == *" $(probe_name "$c") "* ]] || probes+=("$(probe_name "$c")")
  done
  out="$(ready_check "$timeout" "${probes[@]}" "${watch[@]}")" || rc=$?
  for c in "${check[@]}"; do
    local line tag=""
    line="$(grep -E "^$(probe_name "$c"): " <<<"$out" || echo "$c: no answer from ready.mjs")"
    line="$c:${line#*:}"
    if [[ " ${already[*]-} " == *" $c "* ]]; then tag=" [already running]"; fi
    if [[ " ${external[*]-} " == *" $c "* ]]; then tag=" [external, not managed]"; fi
    if [[ "$line" == "$c: ready"* ]]; then
      log "${C_GREEN}${line}${C_OFF}${tag}"
    else
      err "${line}${tag}"
      if [[ " ${to_start[*]-} " == *" $c "* || " ${already[*]-} " == *" $c "* ]]; then
        print_log_tail "$c"
        if pid="$(running_pid "$c")"; then
          err "$c (pid $pid) is still running; stop it with: bash deploy/local/infra.sh stop $c"
        else
          rm -f "$(pid_file "$c")" "$(mode_file "$c")"
        fi
      elif [[ " ${external[*]-} " == *" $c "* ]]; then
        err "$c is external ($(address_of "$c")); infra.sh does not start it. Unset the env variable to use the local one."
      fi
    fi
  done
  if [[ "$rc" -ne 0 ]]; then
    die "start failed (see above)"
  fi
  log "all ready: ${check[*]} ($(elapsed "$t_all"))"
}

do_stop() {
  local c pid specs=()
  for c in "${COMPONENTS[@]}"; do
    if is_external "$c"; then
      log "$c is external ($(address_of "$c")); not stopping it"
    elif pid="$(running_pid "$c")"; then
      specs+=("$c=$pid")
    else
      rm -f "$(pid_file "$c")" "$(mode_file "$c")"
      log "$c is not running"
    fi
  done
  [[ ${#specs[@]} -eq 0 ]] || stop_pids "${specs[@]}"
  # no broker of this state directory left running: the next start may choose another size
  local node any=0
  for node in $(kafka_nodes); do
    if running_pid "$node" >/dev/null; then any=1; fi
  done
  ((any)) || rm -f "$CLUSTER_FILE"
}

do_status() {
  local c pid state mode out="" all_ok=0
  local probe=()
  for c in "${COMPONENTS[@]}"; do
    if is_external "$c" || running_pid "$c" >/dev/null; then
      if [[ "$c" == kafka-* ]]; then
        # each broker of a cluster is asked alone
        if node_ready; then
          out+=$'\n'"$c:$(KAFKA_BROKERS_ONE="$(address_of "$c")" ready_check 0 kafka --interval 50 2>&1 | sed -n 's/^kafka://p')" || true
        fi
      else
        probe+=("$c")
      fi
    fi
  done
  if [[ ${#probe[@]} -gt 0 ]]; then
    if node_ready; then
      out+=$'\n'"$(ready_check 0 "${probe[@]}" --interval 50 2>&1)" || true
    fi
  fi
  printf '%-8s %-9s %-8s %-6s %-40s %s\n' COMP STATE PID MODE ADDRESS READINESS
  for c in "${COMPONENTS[@]}"; do
    local ready="-" addr
    addr="$(address_of "$c")"
    mode="-"
    pid="-"
    if is_external "$c"; then
      state=external
    elif pid="$(running_pid "$c")"; then
      state=running
      is_kafka "$c" || mode="$(cat "$(mode_file "$c")" 2>/dev/null || echo '?')"
    else
      state=stopped
      pid="-"
    fi
    if [[ "$state" != stopped ]]; then
      if node_ready; then
        if grep -qE "^$c: ready" <<<"$out"; then
          ready="ready"
        else
          ready="NOT READY ($(grep -E "^$c: " <<<"$out" | sed -E "s/^$c: NOT READY[^;]*;? ?//" | cut -c1-100))"
          all_ok=3
        fi
      else
        # no node_modules: fall back to a TCP check
        local hp="${addr#*://}"
        hp="${hp%%/*}"
        hp="${hp%%,*}"
        if port_open "${hp##*:}"; then ready="port open (protocol check skipped: node_modules missing)"; else
          ready="port closed"
          all_ok=3
        fi
      fi
    else
      all_ok=3
    fi
    printf '%-8s %-9s %-8s %-6s %-40s %s\n' "$c" "$state" "$pid" "$mode" "$addr" "$ready"
  done
  return "$all_ok"
}

# An external Kafka is one component, whatever the local layout.
if is_external kafka; then
  collapsed=()
  for c in "${COMPONENTS[@]}"; do
    if is_kafka "$c"; then
      [[ " ${collapsed[*]-} " == *" kafka "* ]] || collapsed+=(kafka)
    else
      collapsed+=("$c")
    fi
  done
  COMPONENTS=("${collapsed[@]}")
fi

# Serialise concurrent invocations (e.g. two test runs starting the infrastructure at once).
mkdir -p "$PID_DIR"
if command -v flock >/dev/null 2>&1 && [[ "$ACTION" != status ]]; then
  exec 9>"$PID_DIR/.infra.lock"
  if ! flock -w 300 9; then
    die "another infra.sh is still running (lock $PID_DIR/.infra.lock held for 300 s)"
  fi
fi

case "$ACTION" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  restart)
    do_stop || exit 1
    do_start
    ;;
esac
