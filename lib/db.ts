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
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}

/** The one Prisma client (kept on globalThis so dev hot reloads do not leak pools). */
export const db: PrismaClient = globalThis.__wardenDb ?? create();
if (process.env.NODE_ENV !== "production") globalThis.__wardenDb = db;

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/** True when the error is a Prisma unique-constraint violation (checked by code, never by message). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "P2002";
}
