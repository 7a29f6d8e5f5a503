# syntax=docker/dockerfile:1
# The sync server, serving the built web app too. Build: docker build -t offline-chat .
# Run:   docker run -p 8080:8080 -v chat-data:/data offline-chat   (embedded PGlite in /data)
#   or   docker run -p 8080:8080 -e DATABASE_URL=postgres://... offline-chat

# 0. Only the npm manifests of the root and every workspace, so the installs below are cached until
#    a manifest changes (and a new workspace needs no change here).
FROM node:22-slim AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc -delete \
  && find . -depth -type d -empty -delete

# 1. Everything installed, the web app built.
FROM node:22-slim AS build
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages/model packages/model
COPY apps/web apps/web
RUN npm run build -w @chat/web

# 2. Only the server's production dependencies (no Vite, Playwright, TypeScript or Node-from-npm).
FROM node:22-slim AS deps
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --omit=dev --no-audit --no-fund -w @chat/sync \
  && mkdir -p apps/sync/node_modules packages/model/node_modules \
  && npm cache clean --force

# 3. What runs: Node 22 (it strips the TypeScript types itself), the server's source and the built app.
FROM node:22-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    WEB_DIST=/app/apps/web/dist
WORKDIR /app
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/packages/model/node_modules packages/model/node_modules
COPY --from=deps /app/apps/sync/node_modules apps/sync/node_modules
COPY packages/model/package.json packages/model/
COPY packages/model/src packages/model/src
COPY apps/sync/package.json apps/sync/
COPY apps/sync/src apps/sync/src
COPY --from=build /app/apps/web/dist apps/web/dist
# Fails the build if a module the server imports is missing from its production dependencies.
RUN node --input-type=module -e "import { readdirSync } from 'node:fs'; \
  for (const f of readdirSync('apps/sync/src', { recursive: true })) \
    if (f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'main.ts') await import('/app/apps/sync/src/' + f);" \
  && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8080}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/sync/src/main.ts"]
