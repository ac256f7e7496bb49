# syntax=docker/dockerfile:1
# SPDX-License-Identifier: Apache-2.0
# The kit's operator: `seldon-lab operator`, which turns SeldonDeployments into Deployments,
# Services and Emissary Mappings. The Helm chart (cluster/charts/seldon-lab-operator) runs it.
#
# Build it from the repository root (npm run cluster:up does this inside minikube):
#   docker build -f cluster/images/operator.Dockerfile -t seldon-lab/operator:<tag> .
# The name and tag are pinned in cluster/images.json.
#
# It runs from the TypeScript sources (tsx compiles them as they load), as a numeric non-root
# user, and writes nothing: the chart mounts the root filesystem read-only.

ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: only the npm packages the entry point imports, at the versions package-lock.json pins.
FROM ${NODE_IMAGE} AS packages
WORKDIR /app
COPY package.json package-lock.json ./
COPY cluster/images/runtime-package.mjs /tmp/runtime-package.mjs
RUN node /tmp/runtime-package.mjs tsx yaml @kubernetes/client-node \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# Stage 2: the image.
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="seldon-lab operator" \
      org.opencontainers.image.description="SeldonDeployment operator of the seldon-lab course kit" \
      org.opencontainers.image.licenses="Apache-2.0"
# TSX_DISABLE_CACHE: tsx keeps no compile cache on disk, so a read-only root filesystem is fine.
# HOME: the user has no entry in /etc/passwd; libraries that look for a home folder find /tmp.
ENV NODE_ENV=production \
    TSX_DISABLE_CACHE=1 \
    SELDON_LAB_ROOT=/app \
    HOME=/tmp
WORKDIR /app
COPY --from=packages /app/package.json ./package.json
COPY --from=packages /app/node_modules ./node_modules
COPY tsconfig.json ./
COPY bin/ ./bin/
COPY lib/ ./lib/
# The default configuration, for `docker run` without --config (the chart mounts its own).
COPY cluster/operator-config.yaml ./cluster/operator-config.yaml
RUN ln -s /app/bin/seldon-lab.js /usr/local/bin/seldon-lab
USER 10001:10001
# Liveness and readiness (the chart's health.port).
EXPOSE 8081
ENTRYPOINT ["seldon-lab", "operator"]
