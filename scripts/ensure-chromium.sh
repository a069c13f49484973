#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's browser test (apps/reporting/src/dashboard,
# driven by playwright-core with executablePath; playwright's own browser download is not used).
# Idempotent and quiet when chromium is already there; needs root (apt-get) when it is missing.
# CHROMIUM_PATH points the test at another chromium or chrome binary and skips the install.
set -euo pipefail
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing (needed by the dashboard's browser test) and installing it needs root:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
  echo "or set CHROMIUM_PATH to an installed chromium or chrome binary." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and this is not a Debian-like system (no apt-get); install chromium" >&2
  echo "or set CHROMIUM_PATH to an installed chromium or chrome binary." >&2
  exit 1
fi
echo "==> installing Debian's chromium and a font with Vietnamese glyphs (dashboard browser test)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
if [ ! -x "$chromium" ]; then
  echo "apt-get installed chromium but $chromium is missing." >&2
  exit 1
fi
