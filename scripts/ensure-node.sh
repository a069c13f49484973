#!/usr/bin/env bash
# Installs the project's Node.js (22 LTS, NODE_VERSION below) into .local/node-v<version> when it is
# missing, and prints its bin directory. The binary comes from the npm registry's node-linux-<arch>
# package (the official Node.js build, checked by npm against the registry's integrity hash), so it
# needs nothing beyond the package registries. Quiet when already installed.
#
#   export PATH="$(bash scripts/ensure-node.sh):$PATH"    # what scripts/test.sh, stack.sh, fuzz.sh do
#
# NODE_BIN_DIR set to a directory holding a node >= 22.12 skips the download (e.g. a CI image).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
NODE_VERSION=22.23.5

if [ -n "${NODE_BIN_DIR:-}" ]; then
  echo "$NODE_BIN_DIR"
  exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no Node.js package for $(uname -m); install Node.js $NODE_VERSION and set NODE_BIN_DIR" >&2; exit 1 ;;
esac
dir="$PWD/.local/node-v$NODE_VERSION"
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed once to fetch Node.js $NODE_VERSION (node-linux-$arch from the npm registry)." >&2
    exit 1
  fi
  echo "==> installing Node.js $NODE_VERSION (node-linux-$arch@$NODE_VERSION) into .local" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent --pack-destination "$work" "node-linux-$arch@$NODE_VERSION" >/dev/null)
  tar -xzf "$work"/node-linux-"$arch"-"$NODE_VERSION".tgz -C "$work"
  [ -x "$work/package/bin/node" ] || { echo "the package has no bin/node" >&2; exit 1; }
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$work/package" "$dir"
  "$dir/bin/node" --version >/dev/null
fi
echo "$dir/bin"
