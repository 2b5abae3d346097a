# syntax=docker/dockerfile:1
# Build: the same `npm ci` and `npm run build` that CI exercises.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 # Production needs neither dev tools nor the embedded Postgres (compose provides one): drop both.
 && npm prune --omit=dev --omit=optional

# Run: only what the daemon loads, as the unprivileged `node` user.
FROM node:20-bookworm-slim
# The heap cap keeps the process well inside the 512 MB container: measured 101 MB idle and 202 MB peak RSS with
# 100 accounts under API and scraping load (BENCHMARKS.md, "Memory"); without it V8 lets the heap grow to ~364 MB.
ENV NODE_ENV=production \
    PORT=8001 \
    LOG_FORMAT=json \
    NODE_OPTIONS=--max-old-space-size=128
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node migrations ./migrations
COPY --chown=node:node sql ./sql
USER node
EXPOSE 8001
# Readiness (database reachable, not draining); see README "Health checks".
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 receives SIGTERM directly and drains (SPEC §10).
CMD ["node", "dist/src/main.js"]
