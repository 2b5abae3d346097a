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
# Heap settings (what Node would pick itself inside a 512 MB cgroup, made explicit for any host): old space capped at
# 128 MB, where 100 accounts scraping at concurrency 50 keep about 80 MB live, and 8 MB semi-spaces, which cost no
# measurable speed. Without them V8 sizes its heap from the host's memory and lets it grow lazily to ~350 MB RSS.
# `npm run bench:memory` reads this line and measures it (BENCHMARKS.md, "Memory"). A much larger pool or
# WORKER_CONCURRENCY may need a higher --max-old-space-size.
ENV NODE_ENV=production \
    PORT=8001 \
    LOG_FORMAT=json \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# The command line (`npx ig-scout …`, README "Command line"): its bin runs dist/src/cli/main.js here.
COPY --chown=node:node bin ./bin
COPY --chown=node:node migrations ./migrations
COPY --chown=node:node sql ./sql
USER node
EXPOSE 8001
# Readiness (database reachable, not draining); see README "Health checks".
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 receives SIGTERM directly and drains (SPEC §10).
CMD ["node", "dist/src/main.js"]
