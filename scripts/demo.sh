#!/usr/bin/env bash
# Loads the demo province-year into the running stack and prints the headline (tools/demo).
# DEMO_DOSSIERS (default 20000) sets its size; DEMO=0 skips it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "${DEMO:-1}" = 0 ]; then exit 0; fi
echo "==> demo data: a simulated province-year through the public API (DEMO=0 skips it)"
node dist/tools/demo/demo.js --dossiers "${DEMO_DOSSIERS:-20000}"
