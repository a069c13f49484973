#!/usr/bin/env bash
# API fuzzing (npm run test:fuzz, docs/security.md): schemathesis against the OpenAPI documents of
# the four services, run from dist/ as processes in a fresh namespace.
#  - installs schemathesis (pinned) into .local/fuzz-venv when missing,
#  - builds dist/ (FUZZ_BUILD=0 skips it),
#  - reuses Kafka, MongoDB and Redis when they answer, else starts them (deploy/local/infra.sh,
#    test mode) and stops them again at the end,
#  - FUZZ_EXAMPLES (default 100) test cases per operation and phase, FUZZ_SEED (default 1);
#    a phase running longer than FUZZ_PHASE_TIMEOUT seconds (default 180) fails.
# Exits non-zero on any failure (5xx, undocumented status, wrong content type or schema).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The project's Node.js (22 LTS) first on PATH: installed into .local by scripts/ensure-node.sh.
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
started_at=$(date +%s)

SCHEMATHESIS_VERSION=4.32.5
VENV=.local/fuzz-venv
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
  echo "==> installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  mkdir -p .local
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

bash scripts/ensure-deps.sh
if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  echo "==> building dist/"
  npm run --silent build
fi

started_infra=no
if node deploy/local/ready.mjs --timeout 0 >/dev/null 2>&1; then
  echo "==> reusing the running Kafka, MongoDB and Redis (the run uses its own topics, database and queues)"
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

rm -rf .local/fuzz
node dist/tools/fuzz/cli.js --schemathesis "$VENV/bin/schemathesis" --out .local/fuzz \
  --examples "${FUZZ_EXAMPLES:-100}" --phase-timeout "${FUZZ_PHASE_TIMEOUT:-180}" --seed "${FUZZ_SEED:-1}" --port-base "${FUZZ_PORT_BASE:-3911}"
echo "==> API fuzzing passed in $(($(date +%s) - started_at)) s"
