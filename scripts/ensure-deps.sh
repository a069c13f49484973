#!/usr/bin/env bash
# Installs the Node dependencies when they are missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js 22.12+ and npm are required (scripts/ensure-node.sh installs Node.js 22 into .local)." >&2
  exit 1
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "==> installing Node dependencies (npm install --no-save, versions pinned by package-lock.json)"
  # Not `npm ci`: npm 11 writes lock files without other platforms' optional packages and then
  # refuses them in `npm ci` (EUSAGE "Missing: @swc/core-darwin-arm64"); install keeps the pins.
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
