import "server-only";
import type { z } from "zod";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { resolveRegisteredAgent } from "@/lib/gateways/reconcile";
import { assertAgentInScope, assertGatewayInScope, teamScopeOf } from "@/lib/teams/scope";
import type { ZAgentCreate, ZAgentUpdate } from "./schema";

/**
 * The team an agent is put in: it must exist, and a team-scoped actor may only use their own team
 * (their new agents join it by default). undefined leaves it unchanged.
 */
async function teamIdFor(tx: Pick<typeof db, "team">, actor: Actor, teamId: string | null | undefined, creating: boolean): Promise<string | null | undefined> {
  const scope = teamScopeOf(actor);
  if (scope) {
    if (teamId === undefined) return creating ? scope.teamId : undefined;
    if (teamId !== scope.teamId) throw new AppError("forbidden", "You can only put agents in your own team.", { teamId: ["Not your team."] });
    return teamId;
  }
  if (!teamId) return teamId;
  if (!(await tx.team.findUnique({ where: { id: teamId }, select: { id: true } }))) throw new AppError("invalid", "No such team.", { teamId: ["No such team."] });
  return teamId;
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
      const { externalId, teamId: asked, ...fields } = input;
      const teamId = await teamIdFor(tx, actor, asked, true);
      if (fields.gatewayId) await assertGatewayInScope(tx, actor, fields.gatewayId);
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
  const { id, teamId: asked, ...fields } = input;
  try {
    return await db.$transaction(async (tx) => {
      // Another team's agent is "no such agent" (404), so its id does not leak.
      await assertAgentInScope(tx, actor, id);
      if (fields.gatewayId) await assertGatewayInScope(tx, actor, fields.gatewayId);
      const teamId = await teamIdFor(tx, actor, asked, false);
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
