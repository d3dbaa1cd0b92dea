import "server-only";
import { db, type Tx } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { redact } from "@/lib/redact";
import { GENESIS_HASH, chainHash } from "@/lib/signing/canonical";
import type { AuditAction } from "./actions";

export type AuditInput = {
  /** One of the vocabulary in lib/audit/actions.ts. */
  action: AuditAction;
  outcome?: "success" | "denied" | "failure";
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
};

// One advisory lock serialises appends so the chain has exactly one head.
const CHAIN_LOCK = 7_210_001;

/** Normalise to what JSONB will give back (so the hash verifies after a round trip), redacted. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(JSON.stringify(redact(value), (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

/**
 * Append an audit event inside the caller's transaction: if the mutation rolls back, so does its
 * audit row, and no mutation commits without one.
 */
export async function recordAudit(tx: Tx, actor: Actor, input: AuditInput): Promise<void> {
  await recordAuditMany(tx, [{ actor, input }]);
}

/**
 * Append several audit events, in order, inside the caller's transaction: one lock, one read of
 * the chain head and one insert however many there are (acks of a fan-out are committed in groups).
 */
export async function recordAuditMany(tx: Tx, entries: { actor: Actor; input: AuditInput }[]): Promise<void> {
  if (!entries.length) return;
  await tx.$executeRaw`select pg_advisory_xact_lock(${CHAIN_LOCK})`;
  const [head] = await tx.$queryRaw<{ hash: string | null; ids: string[] }[]>`
    select (select hash from audit_events order by id desc limit 1) as hash,
           array(select nextval(pg_get_serial_sequence('audit_events', 'id'))::text from generate_series(1, ${entries.length}::int)) as ids`;
  let prevHash = head.hash ?? GENESIS_HASH;
  const createdAt = new Date();
  const rows = entries.map(({ actor, input }, i) => {
    const fields = {
      id: head.ids[i],
      createdAt,
      actorType: actor.kind,
      actorId: actor.kind === "system" ? null : (actor.userId ?? actor.gatewayId ?? null),
      actorLabel: actor.label,
      role: actor.role ?? null,
      action: input.action,
      outcome: input.outcome ?? "success",
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      before: jsonSafe(input.before),
      after: jsonSafe(input.after),
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ? actor.userAgent.slice(0, 512) : null,
    };
    const hash = chainHash(prevHash, fields);
    const row = { ...fields, id: BigInt(fields.id), before: fields.before ?? undefined, after: fields.after ?? undefined, prevHash, hash };
    prevHash = hash;
    return row;
  });
  await tx.auditEvent.createMany({ data: rows });
}

/** For denied and failed attempts: recorded on their own, outside any rolled-back transaction. */
export async function recordAuditStandalone(actor: Actor, input: AuditInput): Promise<void> {
  await db.$transaction((tx) => recordAudit(tx, actor, input));
}
