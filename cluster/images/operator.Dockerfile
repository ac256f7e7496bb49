# syntax=docker/dockerfile:1
# SPDX-License-Identifier: Apache-2.0
# The kit's operator: `seldon-lab operator`, which turns SeldonDeployments into Deployments,
# Services and Emissary Mappings. The Helm chart (cluster/charts/seldon-lab-operator) runs it.
#
# Build it from the repository root (npm run cluster:up does this inside minikube):
#   docker build -f cluster/images/operator.Dockerfile -t seldon-lab/operator:<tag> .
# The name and tag are pinned in cluster/images.json.
#
# Unlike the rest of the kit it does not run the TypeScript sources through tsx: a build stage
# bundles the operator and @kubernetes/client-node into one JavaScript file (operator-bundle.ts
# says why: memory, measured by bench/operator.ts), and the image holds that file, Node.js and the
# default configuration, no node_modules. It runs as a numeric non-root user and writes nothing:
# the chart mounts the root filesystem read-only.

ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: the bundle. The npm packages the operator imports, and esbuild and tsx to bundle it, at
# the versions package-lock.json pins; then the sources, and esbuild over them.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY cluster/images/runtime-package.mjs /tmp/runtime-package.mjs
RUN node /tmp/runtime-package.mjs tsx yaml @kubernetes/client-node --dev esbuild \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY tsconfig.json ./
COPY lib/ ./lib/
COPY cluster/images/operator-main.ts cluster/images/operator-bundle.ts ./cluster/images/
# Writes /app/seldon-lab.mjs (executable, its first line `#!/usr/bin/env -S node <V8 flags>`) and
# /app/package.json (which marks /app as the kit's root for lib/paths.ts).
RUN node --import tsx cluster/images/operator-bundle.ts --outdir /app

# Stage 2: the image.
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="seldon-lab operator" \
      org.opencontainers.image.description="SeldonDeployment operator of the seldon-lab course kit" \
      org.opencontainers.image.licenses="Apache-2.0"
# HOME: the user has no entry in /etc/passwd; libraries that look for a home folder find /tmp.
# MALLOC_ARENA_MAX: fewer glibc malloc arenas, a few MB less resident (operator-bundle.ts).
ENV NODE_ENV=production \
    SELDON_LAB_ROOT=/app \
    HOME=/tmp \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/ ./
# The default configuration, for `docker run` without --config (the chart mounts its own).
COPY cluster/operator-config.yaml ./cluster/operator-config.yaml
RUN ln -s /app/seldon-lab.mjs /usr/local/bin/seldon-lab
USER 10001:10001
# Liveness and readiness (the chart's health.port).
EXPOSE 8081
ENTRYPOINT ["seldon-lab", "operator"]
