# syntax=docker/dockerfile:1
# One Dockerfile, one target per service. Build an image with the matching SERVICE argument:
#   docker build --target catalog --build-arg SERVICE=catalog -t product-importer/catalog .
# Each image holds only its own workspace: `turbo prune` cuts the monorepo (and the lockfile) down
# to the service and the packages it depends on, so dev-only provisioning (embedded-postgres,
# s3rver, testcontainers) never enters an image. The gateway image also carries the built dashboard.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
# The image's own npm (10.x) installs from the lockfile as is and runs the install scripts the
# build needs (esbuild for the dashboard, buf for the contracts).
WORKDIR /app

# --- prune: the service's workspace subset, split into manifests (json/) and sources (full/) ---
FROM base AS pruner
ARG SERVICE
RUN test -n "$SERVICE" || { echo 'missing --build-arg SERVICE=<catalog|ingest|webhook-dispatcher|gateway>' >&2; exit 1; }
RUN npm install -g turbo@2.11.11
COPY . .
# The gateway serves the dashboard, which no service depends on: prune it in alongside.
RUN scopes="@pi/${SERVICE}"; \
    if [ "$SERVICE" = gateway ]; then scopes="$scopes @pi/web"; fi; \
    turbo prune $scopes --docker --out-dir /pruned

# --- build: install from the pruned lockfile and compile ---
FROM base AS builder
COPY --from=pruner /pruned/json/ ./
# Manifests first: this layer is reused until a package.json or the lockfile changes.
RUN npm ci
COPY --from=pruner /pruned/full/ ./
# turbo prune copies workspaces only; the shared compiler settings live at the root.
COPY tsconfig.base.json ./
RUN npx turbo run build --output-logs=errors-only

# --- slim: drop dev dependencies, sources and caches ---
FROM builder AS slim
RUN npm prune --omit=dev \
 && rm -rf .turbo node_modules/.cache web/.svelte-kit web/src web/static \
 && find packages services proto -maxdepth 2 \( -name src -o -name 'tsconfig*.json' \) -exec rm -rf {} +

# --- runtime: compiled workspace, production dependencies, non-root ---
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    SERVICE=${SERVICE}
WORKDIR /app
# Owned by root and only readable by the service's user: the code cannot be changed at run time.
COPY --from=slim /app /app
USER node
# Liveness on the service's own HTTP port (the gateway's is PORT); node's fetch, no curl needed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const e=process.env;fetch('http://127.0.0.1:'+(e.SERVICE==='gateway'?e.PORT:e.HTTP_PORT)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# --- one target per service: ports, entry point and a guard against a mismatched SERVICE ---
# `docker run <image> migrate` applies the service's migrations; no argument serves.
FROM runtime AS catalog
RUN test "$SERVICE" = catalog || { echo "target catalog needs --build-arg SERVICE=catalog" >&2; exit 1; }
ENV HTTP_PORT=8082 GRPC_PORT=50060
EXPOSE 8082 50060
ENTRYPOINT ["node", "services/catalog/dist/index.js"]

FROM runtime AS ingest
RUN test "$SERVICE" = ingest || { echo "target ingest needs --build-arg SERVICE=ingest" >&2; exit 1; }
ENV HTTP_PORT=8081 GRPC_PORT=50052
EXPOSE 8081 50052
# V8 heap cap: ingest streams gigabytes through a small live set; as in packages/infra/src/stack.ts.
ENTRYPOINT ["node", "--max-old-space-size=192", "services/ingest/dist/index.js"]

FROM runtime AS webhook-dispatcher
RUN test "$SERVICE" = webhook-dispatcher || { echo "target webhook-dispatcher needs --build-arg SERVICE=webhook-dispatcher" >&2; exit 1; }
ENV HTTP_PORT=8083 GRPC_PORT=50053
EXPOSE 8083 50053
ENTRYPOINT ["node", "services/webhook-dispatcher/dist/index.js"]

FROM runtime AS gateway
RUN test "$SERVICE" = gateway && test -f web/build/index.html || { echo "target gateway needs --build-arg SERVICE=gateway (and the dashboard build)" >&2; exit 1; }
ENV PORT=8080 GRPC_PORT=50051 WEB_DIR=/app/web/build
EXPOSE 8080 50051
ENTRYPOINT ["node", "services/gateway/dist/index.js"]

# --- dev: the Tilt loop's image — sources and dev dependencies kept, so a live update can sync
# sources and rebuild in place; `node --watch` restarts the service when its build changes.
# Not for production. Any service: docker build --target dev --build-arg SERVICE=<name> .
FROM builder AS dev
ARG SERVICE
ENV HTTP_HOST=0.0.0.0 SERVICE=${SERVICE}
RUN chown -R node:node /app
USER node
# `migrate` must exit (init containers), so only serving runs under --watch.
ENTRYPOINT ["/bin/sh", "-c", "if [ \"$1\" = migrate ]; then exec node \"services/$SERVICE/dist/index.js\" \"$@\"; fi; exec node --watch \"services/$SERVICE/dist/index.js\" \"$@\"", "--"]
