# syntax=docker/dockerfile:1

# pipeline-schedule-bot as one container: compile the TypeScript, then run the compiled dist/
# as an unprivileged user. Nothing secret is baked in: tokens, the signing secret and the events
# API key come from the environment when the container starts (docs/operations.md).
#
#   docker build -t pipeline-schedule-bot .
#   docker run --rm -p 3000:3000 -v pipeline-schedule-data:/app/data pipeline-schedule-bot

# ---- build: dependencies, better-sqlite3's native module, tsc -> dist/ --------------------
FROM node:20-bookworm-slim AS build

# node-gyp compiles better-sqlite3 from source: Python, make and a C++ compiler, in this stage only.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

# The image ships npm 10, which ignores package.json's allowScripts; npm 11 reads it. Pinned, so
# every build installs with the same npm.
RUN npm install -g npm@11.19.1

# Compile better-sqlite3 against this Node's own headers rather than downloading a prebuilt
# binary (prebuild-install) or the headers (node-gyp): the same result with or without GitHub.
# npm 11 warns that build-from-source is an unknown config; prebuild-install still reads it.
ENV npm_config_build_from_source=better-sqlite3 \
  npm_config_nodedir=/usr/local

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Prune keeps the compiled better-sqlite3 binary and drops the dev dependencies (tsc, vitest…).
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: dist/, production node_modules and the shipped defaults -----------------------
FROM node:20-bookworm-slim

ENV NODE_ENV=production PORT=3000
WORKDIR /app

COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# bin/ runs dist/cli.js when src/ is absent; dist/runtime.js finds ../examples and ../policy.yml.
COPY bin ./bin
COPY examples ./examples
COPY policy.yml manifest.yml ./

# SQLite's default DATABASE_URL is sqlite:./data/bot.db, i.e. /app/data/bot.db.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]

USER node
EXPOSE 3000

# Liveness only: GET /healthz answers 200 while the process serves HTTP (no curl in slim).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/main.js"]
