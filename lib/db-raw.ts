import "server-only";
import pg from "pg";
import { env } from "@/lib/env";
import { settings } from "@/lib/env";

declare global {
  var __wardenPgPools: Map<string, pg.Pool> | undefined;
}

/**
 * node-postgres pools for the connector's hot paths (ingestion, gateway authentication, command
 * claims and acks). Through Prisma's query compiler each statement costs about a millisecond of
 * the server's one CPU thread; with hundreds of gateways polling, signing and acknowledging at
 * once that, not Postgres, was the limit. Everything else goes through Prisma (lib/db.ts).
 */
export function pgPool(name: "ingest" | "connector", max: number): pg.Pool {
  const pools = (globalThis.__wardenPgPools ??= new Map());
  let pool = pools.get(name);
  if (!pool) {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL, max, idleTimeoutMillis: 30_000, allowExitOnIdle: true });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on("error", (err: Error) => console.error(`warden: ${name} database connection lost:`, err.message));
    pools.set(name, pool);
  }
  return pool;
}

/** The connector's pool (WARDEN_CONNECTOR_CONNECTIONS, default 8). */
export function connectorPool(): pg.Pool {
  return pgPool("connector", settings.connectorConnections());
}
