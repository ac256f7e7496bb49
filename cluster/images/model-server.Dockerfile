# syntax=docker/dockerfile:1
# SPDX-License-Identifier: Apache-2.0
# The kit's model server: `seldon-lab serve` (the model container of a SeldonDeployment's pod) and
# `seldon-lab storage-init` (its init container, which copies modelUri to /mnt/models). One image
# plays every prepackaged server Seldon had (SKLEARN_SERVER, XGBOOST_SERVER): the operator's
# configuration says which with `--implementation`.
#
# Build it from the repository root (npm run cluster:up does this inside minikube):
#   docker build -f cluster/images/model-server.Dockerfile -t seldon-lab/model-server:<tag> .
# The name and tag are pinned in cluster/images.json.
#
# It runs from the TypeScript sources, as everywhere in the kit (tsx compiles them as they load),
# as a numeric non-root user, and writes nothing outside its volumes: the root filesystem may be
# read-only.

ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: only the npm packages the entry points import, at the versions package-lock.json pins.
FROM ${NODE_IMAGE} AS packages
WORKDIR /app
COPY package.json package-lock.json ./
COPY cluster/images/runtime-package.mjs /tmp/runtime-package.mjs
RUN node /tmp/runtime-package.mjs tsx yaml ajv prom-client swagger-ui-dist \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# Stage 2: the image.
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="seldon-lab model server" \
      org.opencontainers.image.description="Seldon protocol v1 and Open Inference Protocol model server of the seldon-lab course kit" \
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
# The offline copy of the gs://seldon-models/... files the tutorial uses (storage-init reads it).
COPY cluster/models/store/ ./cluster/models/store/
RUN ln -s /app/bin/seldon-lab.js /usr/local/bin/seldon-lab
USER 10001:10001
# Seldon's ports: 9000 HTTP (protocol v1 and V2), 6000 metrics.
EXPOSE 9000 6000
ENTRYPOINT ["seldon-lab", "serve"]
