import { randomBytes } from "node:crypto";
import os from "node:os";
import { settings } from "@/lib/env";

/**
 * This process's name among the replicas sharing the database: WARDEN_REPLICA_ID when set (e.g. the
 * pod name), else `<hostname>:<pid>:<4 random hex>`, fixed for the life of the process. Kept on
 * globalThis: Next may load this module once per route bundle, and every copy must agree.
 */
export function replicaId(): string {
  const g = globalThis as { __wardenReplicaId?: string };
  return (g.__wardenReplicaId ??= settings.replicaId() || `${os.hostname()}:${process.pid}:${randomBytes(2).toString("hex")}`);
}
