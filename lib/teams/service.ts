import "server-only";
import type { z } from "zod";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import type { ZTeamAssign, ZTeamCreate, ZTeamDelete, ZTeamUpdate } from "./schema";

const PUBLIC = { id: true, name: true, description: true, createdAt: true, updatedAt: true } as const;

function nameTaken(err: unknown): never {
  if (isUniqueViolation(err)) throw new AppError("conflict", "A team with this name exists.", { name: ["Already in use."] });
  throw err;
}

/** Create a team (admins). */
export async function createTeam(actor: Actor, input: z.infer<typeof ZTeamCreate>) {
  try {
    return await db.$transaction(async (tx) => {
      const t = await tx.team.create({ data: { name: input.name, description: input.description }, select: PUBLIC });
      await recordAudit(tx, actor, { action: "team.create", targetType: "team", targetId: t.id, after: { name: t.name, description: t.description } });
      return t;
    });
  } catch (err) {
    nameTaken(err);
  }
}

/** Rename a team or change its description. */
export async function updateTeam(actor: Actor, input: z.infer<typeof ZTeamUpdate>) {
  try {
    return await db.$transaction(async (tx) => {
      const before = await tx.team.findUnique({ where: { id: input.id }, select: PUBLIC });
      if (!before) throw new AppError("not_found", "No such team.");
      const after = await tx.team.update({
        where: { id: input.id },
        data: { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.description !== undefined ? { description: input.description } : {}) },
        select: PUBLIC,
      });
      await recordAudit(tx, actor, {
        action: "team.update",
        targetType: "team",
        targetId: input.id,
        before: { name: before.name, description: before.description },
        after: { name: after.name, description: after.description },
      });
      return after;
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    nameTaken(err);
  }
}

/**
 * Delete a team: refused (409) while agents or gateways belong to it, so nothing silently becomes
 * fleet-wide. Its users (and people, groups) lose the team: scoped users become fleet-wide by
 * role, so the admin is told how many. The row lock makes a concurrent assignment wait.
 */
export async function deleteTeam(actor: Actor, input: z.infer<typeof ZTeamDelete>) {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ name: string }[]>`select name from teams where id = ${input.id}::uuid for update`;
    if (!locked.length) throw new AppError("not_found", "No such team.");
    const [agents, gateways, users] = await Promise.all([
      tx.agent.count({ where: { teamId: input.id } }),
      tx.gateway.count({ where: { teamId: input.id } }),
      tx.user.count({ where: { teamId: input.id } }),
    ]);
    if (agents || gateways || users) {
      const what = [agents && `${agents} agent(s)`, gateways && `${gateways} gateway(s)`, users && `${users} user(s)`].filter(Boolean).join(", ");
      throw new AppError("conflict", `This team still has ${what}: move them to another team first.`);
    }
    await tx.team.delete({ where: { id: input.id } });
    await recordAudit(tx, actor, { action: "team.delete", targetType: "team", targetId: input.id, before: { name: locked[0].name } });
    return { id: input.id, deleted: true };
  });
}

async function teamName(tx: Tx, teamId: string | null): Promise<string | null> {
  if (!teamId) return null;
  // FOR SHARE: a concurrent delete of the team waits for this assignment (and then sees it).
  const t = await tx.$queryRaw<{ name: string }[]>`select name from teams where id = ${teamId}::uuid for share`;
  if (!t.length) throw new AppError("invalid", "No such team.", { teamId: ["No such team."] });
  return t[0].name;
}

/**
 * Put an agent, gateway or user in a team (or take it out). A user's new team applies from their
 * next request (the session re-reads the user each request). Idempotent: the same assignment twice
 * changes nothing and writes no second audit row.
 */
export async function assignTeam(actor: Actor, input: z.infer<typeof ZTeamAssign>) {
  return db.$transaction(async (tx) => {
    const team = await teamName(tx, input.teamId);
    const before =
      input.kind === "agent"
        ? await tx.agent.findUnique({ where: { id: input.id }, select: { teamId: true, name: true } })
        : input.kind === "gateway"
          ? await tx.gateway.findUnique({ where: { id: input.id }, select: { teamId: true, name: true } })
          : await tx.user.findUnique({ where: { id: input.id }, select: { teamId: true, email: true } }).then((u) => (u ? { teamId: u.teamId, name: u.email } : null));
    if (!before) throw new AppError("not_found", `No such ${input.kind}.`);
    const result = { kind: input.kind, id: input.id, teamId: input.teamId, team, changed: before.teamId !== input.teamId };
    if (!result.changed) return result;
    if (input.kind === "agent") await tx.agent.update({ where: { id: input.id }, data: { teamId: input.teamId } });
    else if (input.kind === "gateway") await tx.gateway.update({ where: { id: input.id }, data: { teamId: input.teamId } });
    else await tx.user.update({ where: { id: input.id }, data: { teamId: input.teamId } });
    await recordAudit(tx, actor, { action: "team.assign", targetType: input.kind, targetId: input.id, before: { teamId: before.teamId }, after: { teamId: input.teamId, team, name: before.name } });
    return result;
  });
}
