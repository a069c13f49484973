#!/usr/bin/env bash
# The fault tests (npm run test:faults, docs/reliability.md) on the project's Node.js: builds dist/
# and runs tools/faults (its arguments are passed on).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The project's Node.js (22 LTS) first on PATH: installed into .local by scripts/ensure-node.sh.
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
npm run --silent build
exec node dist/tools/faults/cli.js "$@"
