#!/usr/bin/env bash
# Builds kustomize, kube-score and kubeconform from the Go module proxy into .local/bin, and writes
# kubeconform's Kubernetes JSON schemas into .local/k8s-schemas, for the manifest tests
# (deploy/k8s-build.spec.ts). Idempotent and quiet when everything is there; needs Go 1.24+ and Node.
#
# kubeconform's usual schemas are downloaded from a repository outside the package registries, so
# they are generated here instead (scripts/k8s-schemas.mjs) from sources the Go module proxy serves:
# the OpenAPI document of Kubernetes (api/openapi-spec/swagger.json of the k8s.io/kubernetes module)
# and the CustomResourceDefinitions of the Prometheus Operator (PodMonitor, PrometheusRule,
# ServiceMonitor) and KEDA (ScaledObject, TriggerAuthentication) modules. Once cached, no network.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
bin="$root/.local/bin"
mkdir -p "$bin"
# The Kubernetes release the manifests are validated against (kubeconform -kubernetes-version).
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.34.2}"
PROMETHEUS_OPERATOR_VERSION=v0.85.0
KEDA_VERSION=v2.18.3

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "$1 is missing and Go is not installed (needed to fetch it from the Go module proxy)." >&2
    exit 1
  fi
}

declare -A tools=(
  [kustomize]=sigs.k8s.io/kustomize/kustomize/v5@v5.7.1
  [kube-score]=github.com/zegl/kube-score/cmd/kube-score@v1.20.0
  [kubeconform]=github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0
)
for tool in "${!tools[@]}"; do
  [ -x "$bin/$tool" ] && continue
  need_go "$tool"
  echo "==> building $tool (${tools[$tool]}) into .local/bin" >&2
  GOBIN="$bin" GOTOOLCHAIN=local GOFLAGS=-mod=mod go install "${tools[$tool]}" >&2
done

schemas="$root/.local/k8s-schemas"
done_marker="$schemas/v$KUBERNETES_VERSION-standalone-strict/.complete"
if [ ! -f "$done_marker" ]; then
  need_go "the Kubernetes schemas"
  echo "==> generating kubeconform schemas for Kubernetes $KUBERNETES_VERSION into .local/k8s-schemas" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # Outside any module: plain downloads into the module cache (read-only afterwards).
  dirs="$(cd "$work" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json \
    "k8s.io/kubernetes@v$KUBERNETES_VERSION" \
    "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" \
    "github.com/kedacore/keda/v2@$KEDA_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  kubernetes="$(grep '/k8s.io/kubernetes@' <<<"$dirs")"
  operator="$(grep '/prometheus-operator@' <<<"$dirs")"
  keda="$(grep '/keda/v2@' <<<"$dirs")"
  for dir in "$kubernetes" "$operator" "$keda"; do
    [ -n "$dir" ] && [ -d "$dir" ] || { echo "a module for the schemas was not downloaded: $dirs" >&2; exit 1; }
  done
  rm -rf "$schemas/v$KUBERNETES_VERSION-standalone-strict"
  crds="$operator/example/prometheus-operator-crd"
  node scripts/k8s-schemas.mjs "$kubernetes/api/openapi-spec/swagger.json" "$schemas" "$KUBERNETES_VERSION" \
    "$crds/monitoring.coreos.com_podmonitors.yaml" \
    "$crds/monitoring.coreos.com_prometheusrules.yaml" \
    "$crds/monitoring.coreos.com_servicemonitors.yaml" \
    "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" \
    "$keda/config/crd/bases/keda.sh_triggerauthentications.yaml"
  touch "$done_marker"
fi
