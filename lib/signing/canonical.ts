import { createHash } from "node:crypto";

/** Canonical JSON: keys sorted at every depth, Dates as ISO strings, undefined dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

export const GENESIS_HASH = "0".repeat(64);

/** The fields of an audit event that its hash covers (everything but the hash itself). */
export type HashedAuditFields = {
  id: string;
  createdAt: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  role: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
};

/** hash = SHA-256(prevHash + canonical JSON of the event). */
export function chainHash(prevHash: string, fields: HashedAuditFields): string {
  return createHash("sha256").update(prevHash).update(canonicalJson(fields)).digest("hex");
}
