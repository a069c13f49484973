#!/usr/bin/env bash
# The whole test suite from nothing: Node dependencies, Kafka, the MongoDB stand-in and Redis
# (deploy/local/infra.sh, skipped for servers given by KAFKA_BROKERS / MONGO_URL / REDIS_URL),
# then the unit tests and the integration tests against those real servers.
# Infrastructure this script started is stopped again at the end; a running stack is reused.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The project's Node.js (22 LTS) first on PATH: installed into .local by scripts/ensure-node.sh.
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
started_at=$(date +%s)

echo "==> Node.js $(node --version) ($(command -v node))"
bash scripts/ensure-deps.sh

started_infra=no
if bash deploy/local/infra.sh status >/dev/null 2>&1; then
  echo "==> reusing the running infrastructure (tests use their own topics, databases and queues)"
else
  echo "==> starting Kafka, the MongoDB stand-in and Redis (test mode)"
  bash deploy/local/infra.sh start --mode test
  started_infra=yes
fi
cleanup() {
  if [ "$started_infra" = yes ]; then
    echo "==> stopping the infrastructure this run started"
    bash deploy/local/infra.sh stop || true
  fi
}
trap cleanup EXIT

mkdir -p .local
echo "==> unit tests"
npx jest --selectProjects unit --ci --json --outputFile=.local/jest-unit.json
bash scripts/ensure-chromium.sh  # the dashboard test drives Debian's chromium
echo "==> integration tests (real servers)"
# --forceExit: after the readiness test restarts Kafka, kafkajs keeps a few sockets of its
# consumers open even after disconnect(); the services exit anyway (Nest re-raises the signal).
npx jest --selectProjects integration --ci --runInBand --forceExit --json --outputFile=.local/jest-integration.json
echo "==> all tests passed in $(( $(date +%s) - started_at )) s"
node -e '
  const files = [".local/jest-unit.json", ".local/jest-integration.json"].map((f) => require("./" + f));
  const sum = (key) => files.reduce((total, r) => total + r[key], 0);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
'
