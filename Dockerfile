# Warden app image. Build: docker compose build. Node 20 LTS, production build baked in.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN DATABASE_URL=postgresql://build:build@127.0.0.1:1/build npx prisma generate \
 && DATABASE_URL=postgresql://build:build@127.0.0.1:1/build NEXT_TELEMETRY_DISABLED=1 npx next build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 WARDEN_NO_BUILD=1
COPY --from=build /app /app
# The audit checkpoint file's folder (a named volume in docker-compose.yml takes this ownership).
RUN mkdir -p /var/lib/warden-audit && chown node:node /var/lib/warden-audit && chmod 700 /var/lib/warden-audit
USER node
EXPOSE 3000
# With DATABASE_URL set, the launcher migrates, bootstraps (first admin; WARDEN_SEED=none skips
# the demo fleet) and serves the prebuilt app.
CMD ["node", "scripts/warden.mjs", "start"]
