#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The seed tutorial's chapter 2, as it was written (2021): Ambassador chart 6.9.1 and Seldon Core
# 1.11.0. These commands only work on Kubernetes 1.21 or older, so this script starts a minikube
# profile of its own, `seldon-seed`, at v1.21.14, and leaves every other cluster alone.
# Why they fail on 1.22 and later, and what the kit does instead: README.md in this folder.
#
#   bash cluster/seed/install-seldon-1.11.sh          # start the old cluster and install
#   minikube delete --profile=seldon-seed             # remove it afterwards
#
# Historical and unverified today: the 2021 charts and images (datawire/ambassador 6.9.1,
# seldonio/*:1.11.0) may no longer be downloadable from where the tutorial found them.
set -euo pipefail

PROFILE=seldon-seed
KUBERNETES_VERSION=v1.21.14
CONTEXT=(--kube-context "$PROFILE")

step() { printf '\n→ %s\n' "$*"; }

for tool in minikube kubectl helm; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is missing. See cluster/seed/README.md (and npm run cluster:up for today's way)." >&2
    exit 1
  fi
done

# 1) minikube: the seed asked for 4 CPUs and 4 GB.
step "minikube $KUBERNETES_VERSION, profile $PROFILE (Kubernetes 1.21: the newest these charts install on)"
minikube start --profile="$PROFILE" --kubernetes-version="$KUBERNETES_VERSION" --driver=docker --cpus=4 --memory=4g

# 2) Ambassador, chart version ambassador-6.9.1, as the seed installed it.
step "Ambassador (chart datawire/ambassador 6.9.1)"
helm repo add datawire https://www.getambassador.io
helm repo update
helm install ambassador datawire/ambassador \
  "${CONTEXT[@]}" \
  --version 6.9.1 \
  --namespace seldon-system \
  --create-namespace \
  --set image.repository=quay.io/datawire/ambassador \
  --set enableAES=false \
  --set crds.keep=false
kubectl --context "$PROFILE" get pod -n seldon-system

# 3) Seldon Core, chart version seldon-core-operator-1.11.0, as the seed installed it.
step "Seldon Core operator 1.11.0"
helm install seldon-core seldon-core-operator \
  "${CONTEXT[@]}" \
  --version 1.11.0 \
  --repo https://storage.googleapis.com/seldon-charts \
  --namespace seldon-system \
  --create-namespace \
  --set usageMetrics.enabled=true \
  --set ambassador.enabled=true

step "Done. The Quick Start: kubectl --context $PROFILE create namespace seldon && kubectl --context $PROFILE apply -f cluster/samples/sample.yaml"
echo "Reach Ambassador: kubectl --context $PROFILE -n seldon-system port-forward svc/ambassador 8003:80"
