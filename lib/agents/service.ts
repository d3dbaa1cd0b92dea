import "server-only";
import type { z } from "zod";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { resolveRegisteredAgent } from "@/lib/gateways/reconcile";
import type { ZAgentCreate, ZAgentUpdate } from "./schema";

/** A team named in a form: found or created by its name ("" clears it; undefined leaves it). */
async function teamIdOf(tx: Pick<typeof db, "team">, name: string | undefined): Promise<string | null | undefined> {
  if (name === undefined) return undefined;
  const n = name.trim();
  if (!n) return null;
  return (await tx.team.upsert({ where: { name: n }, create: { name: n }, update: {}, select: { id: true } })).id;
}

const FIELDS = {
  id: true,
  name: true,
  owner: true,
  teamId: true,
  team: { select: { name: true } },
  purpose: true,
  gatewayId: true,
  status: true,
  scope: true,
  channels: true,
  model: true,
  fallbackModels: true,
  credentialRefs: true,
  posture: true,
} as const;

/** Register a non-human identity. */
export async function createAgent(actor: Actor, input: z.infer<typeof ZAgentCreate>) {
  try {
    return await db.$transaction(async (tx) => {
      const { externalId, team, ...fields } = input;
      const teamId = await teamIdOf(tx, team);
      if (externalId && fields.gatewayId) {
        const taken = await tx.agent.findUnique({ where: { gatewayId_externalId: { gatewayId: fields.gatewayId, externalId } }, select: { name: true } });
        if (taken) throw new AppError("conflict", `This gateway agent is already registered as ${taken.name}.`, { externalId: ["Already registered on this gateway."] });
      }
      const a = await tx.agent.create({ data: { ...fields, ...(teamId ? { teamId } : {}), externalId: externalId ?? input.name }, select: { ...FIELDS, externalId: true } });
      // Registering an agent the gateway reported closes its "unregistered agent" finding.
      const resolved = await resolveRegisteredAgent(tx, a);
      await recordAudit(tx, actor, { action: "agent.create", targetType: "agent", targetId: a.id, after: { ...a, ...(resolved ? { resolvedFindings: resolved } : {}) } });
      return a;
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (isUniqueViolation(err)) throw new AppError("conflict", "An agent with this name exists.", { name: ["Already in use."] });
    throw err;
  }
}

export async function updateAgent(actor: Actor, input: z.infer<typeof ZAgentUpdate>) {
  const { id, team, ...fields } = input;
  try {
    return await db.$transaction(async (tx) => {
      const teamId = await teamIdOf(tx, team);
      const data = { ...fields, ...(teamId !== undefined ? { teamId } : {}) };
      const before = await tx.agent.findUnique({ where: { id }, select: FIELDS });
      if (!before) throw new AppError("not_found", "No such agent.");
      const after = await tx.agent.update({ where: { id }, data, select: FIELDS });
      await recordAudit(tx, actor, { action: "agent.update", targetType: "agent", targetId: id, before, after });
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "An agent with this name exists.", { name: ["Already in use."] });
    throw err;
  }
}
