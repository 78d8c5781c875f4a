# nixie container image. Build: docker build -t nixie .   Run: see README "Production".
# Stage 1 installs every dependency (native sqlite3 build included) and compiles the TypeScript
# (type-checking it) to dist/; stage 2 keeps production dependencies and dist/ only, and runs as
# a non-root user.
FROM node:22.20.0-bookworm-slim AS build
WORKDIR /app
# sqlite3 compiles from source when its prebuilt binary cannot be downloaded; node-gyp then takes
# the Node headers this image ships in /usr/local/include/node instead of downloading them from
# nodejs.org, so the build works offline (online it changes nothing).
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Install scripts: sqlite3's build and the Matrix encryption library's download (allowScripts in
# package.json lists them for npm 11; npm 10 runs them anyway).
# Of sqlite3's build only the addon is loaded: its objects (~18 MB) and sources (~3 MB) stay out.
RUN npm ci --no-audit --no-fund \
 && cd node_modules/sqlite3 \
 && test -f build/Release/node_sqlite3.node \
 && mv build/Release/node_sqlite3.node . \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv node_sqlite3.node build/Release/
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY config ./config
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:22.20.0-bookworm-slim
ENV NODE_ENV=production \
    NIXIE_STORE_URL=sqlite:///data/nixie.sqlite \
    NIXIE_DATA_DIR=/data \
    NIXIE_HEALTH_PORT=8080 \
    NIXIE_HEALTH_HOST=0.0.0.0
WORKDIR /app
# !eval runs nix-instantiate (Debian's Nix 2.8) in a bubblewrap sandbox.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nix-bin bubblewrap \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Asks /healthz on the port and address nixie is configured with (NIXIE_HEALTH_PORT, NIXIE_HEALTH_HOST
# or the config file). With the health server off (NIXIE_HEALTH_PORT=0) it reports unhealthy and
# says why: run such a container with --no-healthcheck.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/scripts/healthcheck.js"]
# What `npm start` runs after its build step (the image has no compiler: it was built above).
CMD ["node", "dist/src/main.js"]
