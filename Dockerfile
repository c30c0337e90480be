# syntax=docker/dockerfile:1
# Gatehouse controller image: build with the full toolchain, run with production dependencies
# and the compiled JavaScript only, as a non-root user.

# ---- build: compile TypeScript to dist/ -------------------------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /src
# Dependencies first, so the layer is cached until the lockfile changes. Lifecycle scripts are
# skipped here because `prepare` compiles the sources, which are copied in the next step.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build \
  && find dist -name '*.test.js' -o -name '*.test.js.map' -o -name '*.test.d.ts' | xargs rm -f

# ---- runtime: production dependencies + dist/src ---------------------------------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
# The base image's `node` user, numerically, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# Admin server: /healthz, /readyz, /metrics (see deploy/deployment.yaml).
EXPOSE 9901
ENTRYPOINT ["node", "dist/src/cli/main.js", "controller"]
