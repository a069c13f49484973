#!/usr/bin/env bash
# Installs promtool (Debian's `prometheus` package) for the alert-rule tests
# (deploy/prometheus.spec.ts runs `promtool check rules` and `promtool test rules`).
# Idempotent and quiet when promtool is already there; needs root (apt-get) when it is missing.
# PROMTOOL points the tests at another promtool binary and skips the install.
set -euo pipefail
promtool=${PROMTOOL:-}
if [ -n "$promtool" ]; then
  if [ -x "$promtool" ]; then exit 0; fi
  echo "PROMTOOL=$promtool is not an executable file." >&2
  exit 1
fi
if command -v promtool >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "promtool is missing (needed by the alert-rule tests) and installing it needs root:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus" >&2
  echo "or set PROMTOOL to an installed promtool binary." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool is missing and this is not a Debian-like system (no apt-get); install Prometheus'" >&2
  echo "promtool or set PROMTOOL to its path." >&2
  exit 1
fi
echo "==> installing Debian's prometheus package (promtool, for the alert-rule tests)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# The package's service is not started: only the promtool binary is used.
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
if ! command -v promtool >/dev/null 2>&1; then
  echo "apt-get installed prometheus but promtool is not on PATH." >&2
  exit 1
fi
