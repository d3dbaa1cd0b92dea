import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { env, settings } from "@/lib/env";

declare global {
  var __wardenDbRead: PrismaClient | undefined;
}

function create(): PrismaClient {
  const url = env().DATABASE_READ_URL;
  if (!url) return db;
  // Read-only sessions: even pointed at a primary by mistake, the read path can never write.
  const adapter = new PrismaPg({ connectionString: url, max: settings.dbReadPool(), options: "-c default_transaction_read_only=on" });
  return new PrismaClient({ adapter });
}

/**
 * The client for reads that tolerate a few seconds of lag: the explorer, the overview dashboard,
 * the ecosystem map, posture and the spend charts. It is a streaming replica's when
 * DATABASE_READ_URL is set, else the one primary client (lib/db.ts). Writes, and every read that
 * decides something (allowlist, policy, containment, approvals, audit, sign-in, budgets), use `db`:
 * a decision must never be made on data the replica has not replayed yet. See docs/scaling.md.
 */
export const dbRead: PrismaClient = globalThis.__wardenDbRead ?? create();
if (process.env.NODE_ENV !== "production") globalThis.__wardenDbRead = dbRead;
