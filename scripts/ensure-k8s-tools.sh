#!/usr/bin/env bash
# Builds kustomize and kube-score from the Go module proxy into .local/bin for the manifest tests
# (deploy/k8s-build.spec.ts). Idempotent and quiet when both are there; needs Go 1.24+.
# (kubeconform is not used: its schemas are downloaded from outside the package registries.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$PWD/.local/bin"
mkdir -p "$bin"
declare -A tools=(
  [kustomize]=sigs.k8s.io/kustomize/kustomize/v5@v5.7.1
  [kube-score]=github.com/zegl/kube-score/cmd/kube-score@v1.20.0
)
for tool in "${!tools[@]}"; do
  [ -x "$bin/$tool" ] && continue
  if ! command -v go >/dev/null 2>&1; then
    echo "$tool is missing and Go is not installed (needed to build it from the Go module proxy)." >&2
    exit 1
  fi
  echo "==> building $tool (${tools[$tool]}) into .local/bin" >&2
  GOBIN="$bin" GOTOOLCHAIN=local go install "${tools[$tool]}" >&2
done
