# Build stage: compile TypeScript, then keep only the runtime packages.
FROM node:24.22.3-bookworm-slim AS build
# The commit built, for service_info (a build context has no git history): --build-arg SOURCE_COMMIT=$(git rev-parse HEAD).
ARG SOURCE_COMMIT=unknown
WORKDIR /app
COPY package.json package-lock.json ./
# The sources are not here yet: the build (npm's prepare) runs below. Behind a TLS-inspecting
# proxy, pass its CA bundle as a secret (--secret id=npm-ca,src=...): read here, never in a layer.
RUN --mount=type=secret,id=npm-ca \
  if [ -f /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi \
  && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN SOURCE_COMMIT="$SOURCE_COMMIT" npm run build && chmod +x dist/bin/*.js && npm prune --omit=dev

# Runtime stage: Node, the programs the service spawns, the compiled service.
FROM node:24.22.3-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends imagemagick librsvg2-bin exiftran util-linux libheif-examples icc-profiles-free \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY imagemagick ./imagemagick
COPY package.json ./
# The operator commands on PATH by their bin names: `docker compose exec images image-backend-regenerate --missing`.
RUN ln -s /app/dist/bin/regenerate.js /usr/local/bin/image-backend-regenerate \
  && ln -s /app/dist/bin/clean-incoming.js /usr/local/bin/image-backend-clean-incoming \
  && mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.SERVICE_PORT || 8080) + '/ping').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/server.js"]
