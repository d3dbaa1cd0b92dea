import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env, settings } from "@/lib/env";

declare global {
  var __wardenDb: PrismaClient | undefined;
}

function create() {
  // 20 connections: long-polls, ingestion and audit appends (serialised by one advisory lock) share
  // the pool; interactive transactions may wait up to 10 s for a connection under bursts.
  const adapter = new PrismaPg({ connectionString: env().DATABASE_URL, max: settings.dbPool() });
  return retryTransientTransactions(new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } }));
}

/** Attempts of one interactive transaction that Postgres aborted as a deadlock or serialization failure. */
export const TRANSACTION_ATTEMPTS = 4;
const TRANSIENT_SQLSTATES = new Set(["40P01", "40001"]);

/**
 * True when the error is a deadlock (40P01) or a serialization failure (40001): Postgres rolled the
 * whole transaction back, so running it again is safe. Prisma reports these as P2034 or, for raw
 * queries and plain Postgres errors, with the SQLSTATE on the driver adapter's error; checked by
 * code, never by message.
 */
export function isTransientTransactionError(err: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): boolean => {
    if (!e || typeof e !== "object" || depth > 6 || seen.has(e)) return false;
    seen.add(e);
    const o = e as { code?: unknown; originalCode?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (o.code === "P2034" || TRANSIENT_SQLSTATES.has(String(o.code)) || TRANSIENT_SQLSTATES.has(String(o.originalCode))) return true;
    return visit(o.cause, depth + 1) || visit(o.meta?.driverAdapterError, depth + 1);
  };
  return visit(err, 0);
}

/**
 * Every interactive transaction (`db.$transaction(async (tx) => …)`) is run again, up to
 * TRANSACTION_ATTEMPTS times with a short jittered pause, when Postgres aborts it as a deadlock or
 * a serialization failure. Two mutations that lock the same rows in different orders (a policy
 * refresh enqueued by a trigger and again by the service, an acknowledgement and an audit append)
 * then both succeed instead of one answering 500. The callback is all database work in the
 * transaction (side effects run after commit), so a rerun is the same mutation; its audit event is
 * written by the attempt that commits. Batch transactions (an array) are left as they are.
 */
function retryTransientTransactions(client: PrismaClient): PrismaClient {
  const run = client.$transaction.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const retrying = async (...args: unknown[]) => {
    if (typeof args[0] !== "function") return run(...args);
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(...args);
      } catch (err) {
        if (attempt >= TRANSACTION_ATTEMPTS || !isTransientTransactionError(err)) throw err;
        await new Promise((r) => setTimeout(r, 15 * 2 ** attempt + Math.random() * 50));
      }
    }
  };
  Object.assign(client, { $transaction: retrying });
  return client;
}

/** The one Prisma client (kept on globalThis so dev hot reloads do not leak pools). */
export const db: PrismaClient = globalThis.__wardenDb ?? create();
if (process.env.NODE_ENV !== "production") globalThis.__wardenDb = db;

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/** True when the error is a Prisma unique-constraint violation (checked by code, never by message). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "P2002";
}
