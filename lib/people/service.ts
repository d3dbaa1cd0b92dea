import "server-only";
import type { z } from "zod";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit/record";
import { teamScopeOf } from "@/lib/teams/scope";
import { enqueueIdentityPolicyRefresh } from "@/lib/identity-policy/refresh";
import { requesterKey } from "./keys";
import type { TIdentity, ZGroupCreate, ZGroupId, ZGroupMember, ZGroupUpdate, ZIdentityAdd, ZIdentityRemove, ZPersonCreate, ZPersonId, ZPersonUpdate } from "./schema";

type Tx = Prisma.TransactionClient;

const PERSON = {
  id: true,
  displayName: true,
  email: true,
  teamId: true,
  userId: true,
  disabledAt: true,
  identities: { orderBy: [{ channel: "asc" }, { senderId: "asc" }], select: { id: true, channel: true, accountId: true, senderId: true } },
} as const satisfies Prisma.PersonSelect;
const GROUP = { id: true, name: true, description: true, teamId: true } as const satisfies Prisma.PersonGroupSelect;

/** The team a team-scoped actor may act in (null: fleet-wide). */
const scopeOf = (actor: Actor) => teamScopeOf(actor)?.teamId ?? null;

/** A person the actor may see, or 404 (a person of another team is not found, not forbidden). */
async function visiblePerson(tx: Tx, actor: Actor, id: string) {
  const team = scopeOf(actor);
  const p = await tx.person.findFirst({ where: { id, ...(team ? { teamId: team } : {}) }, select: PERSON });
  if (!p) throw new AppError("not_found", "No such person.");
  return p;
}

async function visibleGroup(tx: Tx, actor: Actor, id: string) {
  const team = scopeOf(actor);
  const g = await tx.personGroup.findFirst({ where: { id, ...(team ? { teamId: team } : {}) }, select: GROUP });
  if (!g) throw new AppError("not_found", "No such group.");
  return g;
}

/**
 * The team a row will belong to: a fleet-wide actor names any existing team (or none); a team-scoped
 * actor's rows are in their own team, and naming another is refused.
 */
async function teamFor(tx: Tx, actor: Actor, requested: string | null | undefined, current?: string | null): Promise<string | null | undefined> {
  const team = scopeOf(actor);
  if (team) {
    if (requested === undefined) return current === undefined ? team : undefined;
    if (requested !== team) throw new AppError("forbidden", "You can only manage people and groups of your own team.", { teamId: ["Only your own team."] });
    return team;
  }
  if (requested) {
    const t = await tx.team.findUnique({ where: { id: requested }, select: { id: true } });
    if (!t) throw new AppError("invalid", "No such team.", { teamId: ["No such team."] });
  }
  return requested;
}

/** The console user a person is: it must exist (and be of the actor's team when the actor is scoped). */
async function checkUser(tx: Tx, actor: Actor, userId: string | null | undefined) {
  if (!userId) return;
  const team = scopeOf(actor);
  const u = await tx.user.findFirst({ where: { id: userId, ...(team ? { teamId: team } : {}) }, select: { id: true } });
  if (!u) throw new AppError("invalid", "No such user.", { userId: ["No such user."] });
}

const identityLabel = (i: { channel: string; accountId: string; senderId: string }) => `${i.channel} / ${i.accountId || "-"} / ${i.senderId}`;

/** The stored form of an identity with its directory key (the key a gateway computes for the same sender). */
function identityRow(i: TIdentity) {
  const key = requesterKey(i);
  if (!key) throw new AppError("invalid", "A sender identity needs a channel and a sender id.", { senderId: ["Required."] });
  return { channel: i.channel, accountId: i.accountId, senderId: i.senderId, key };
}

/** 409 naming who holds a sender already (or the email / console user taken). */
async function conflictOf(err: unknown, identities: TIdentity[], personId?: string): Promise<AppError | null> {
  if (!isUniqueViolation(err)) return null;
  // Which constraint: Prisma names it in meta (its shape differs with driver adapters), never in the message we match.
  const target = JSON.stringify((err as { meta?: unknown }).meta ?? {});
  if (target.includes("email")) return new AppError("conflict", "A person with this email exists.", { email: ["Already in use."] });
  if (target.includes("user")) return new AppError("conflict", "This console user is already linked to another person.", { userId: ["Already linked."] });
  const keys = identities.map((i) => requesterKey(i)!).filter(Boolean);
  const holder = await db.personIdentity.findFirst({ where: { key: { in: keys } }, select: { channel: true, accountId: true, senderId: true, personId: true } });
  if (holder && holder.personId !== personId)
    return new AppError("conflict", `The sender ${identityLabel(holder)} belongs to another person.`, { senderId: ["This sender already belongs to another person."] });
  return new AppError("conflict", "This sender identity is already in the directory.", { senderId: ["Already in the directory."] });
}

/** Add a person (with their sender identities) to the directory. */
export async function createPerson(actor: Actor, input: z.infer<typeof ZPersonCreate>) {
  const rows = input.identities.map(identityRow);
  const dup = rows.findIndex((r, i) => rows.findIndex((x) => x.key === r.key) !== i);
  if (dup >= 0) throw new AppError("invalid", "The same sender identity is listed twice.", { [`identities.${dup}.senderId`]: ["Listed twice."] });
  try {
    return await db.$transaction(async (tx) => {
      const teamId = await teamFor(tx, actor, input.teamId);
      await checkUser(tx, actor, input.userId);
      const p = await tx.person.create({
        data: { displayName: input.displayName, email: input.email ?? null, teamId: teamId ?? null, userId: input.userId ?? null, identities: { create: rows } },
        select: PERSON,
      });
      if (rows.length) await enqueueIdentityPolicyRefresh(tx);
      await recordAudit(tx, actor, { action: "person.create", targetType: "person", targetId: p.id, after: p });
      return p;
    });
  } catch (err) {
    throw (await conflictOf(err, input.identities)) ?? err;
  }
}

/** Change a person's name, email, team or console user. */
export async function updatePerson(actor: Actor, input: z.infer<typeof ZPersonUpdate>) {
  const { id, displayName, email, teamId: requested, userId } = input;
  try {
    return await db.$transaction(async (tx) => {
      const before = await visiblePerson(tx, actor, id);
      const teamId = await teamFor(tx, actor, requested, before.teamId);
      if (userId !== undefined) await checkUser(tx, actor, userId);
      const data: Prisma.PersonUncheckedUpdateInput = {
        ...(displayName !== undefined ? { displayName } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(teamId !== undefined ? { teamId } : {}),
        ...(userId !== undefined ? { userId } : {}),
      };
      const after = await tx.person.update({ where: { id }, data, select: PERSON });
      await recordAudit(tx, actor, { action: "person.update", targetType: "person", targetId: id, before, after });
      return after;
    });
  } catch (err) {
    throw (await conflictOf(err, [], id)) ?? err;
  }
}

async function setDisabled(actor: Actor, id: string, disabled: boolean) {
  return db.$transaction(async (tx) => {
    const before = await visiblePerson(tx, actor, id);
    if (Boolean(before.disabledAt) === disabled) return before; // already so: nothing changes, nothing to audit
    // Conditional update: of two concurrent requests only one changes the row and audits it.
    const changed = await tx.person.updateMany({ where: { id, disabledAt: disabled ? null : { not: null } }, data: { disabledAt: disabled ? new Date() : null } });
    const after = await tx.person.findUniqueOrThrow({ where: { id }, select: PERSON });
    if (!changed.count) return after;
    await enqueueIdentityPolicyRefresh(tx);
    await recordAudit(tx, actor, { action: disabled ? "person.disable" : "person.enable", targetType: "person", targetId: id, before, after });
    return after;
  });
}

/** Disable a person: their calls then count as unmapped and per-person rules stop matching them. */
export function disablePerson(actor: Actor, input: z.infer<typeof ZPersonId>) {
  return setDisabled(actor, input.id, true);
}

export function enablePerson(actor: Actor, input: z.infer<typeof ZPersonId>) {
  return setDisabled(actor, input.id, false);
}

/** Link a sender identity to a person. The same sender on the same person again is a no-op; on another person a 409. */
export async function addIdentity(actor: Actor, input: z.infer<typeof ZIdentityAdd>) {
  const { personId, ...identity } = input;
  const row = identityRow(identity);
  const existing = async () => {
    const found = await db.personIdentity.findUnique({ where: { key: row.key }, select: { id: true, personId: true, channel: true, accountId: true, senderId: true } });
    if (!found) return null;
    if (found.personId !== personId) throw new AppError("conflict", `The sender ${identityLabel(found)} belongs to another person.`, { senderId: ["This sender already belongs to another person."] });
    return { id: found.id, channel: found.channel, accountId: found.accountId, senderId: found.senderId };
  };
  try {
    return await db.$transaction(async (tx) => {
      await visiblePerson(tx, actor, personId);
      const already = await tx.personIdentity.findUnique({ where: { key: row.key }, select: { personId: true } });
      // Answered like the unique violation a concurrent insert gets, after the rollback.
      if (already) throw Object.assign(new Error("sender identity exists"), { code: "P2002" });
      const created = await tx.personIdentity.create({ data: { personId, ...row }, select: { id: true, channel: true, accountId: true, senderId: true } });
      await enqueueIdentityPolicyRefresh(tx);
      await recordAudit(tx, actor, { action: "person.identity_add", targetType: "person", targetId: personId, after: created });
      return created;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Lost a race or re-sent: the sender is in the directory now. Same person: done; another: 409.
    const found = await existing();
    if (found) return found;
    throw new AppError("conflict", "This sender identity is already in the directory.", { senderId: ["Already in the directory."] });
  }
}

/** Unlink a sender identity from a person. */
export async function removeIdentity(actor: Actor, input: z.infer<typeof ZIdentityRemove>) {
  return db.$transaction(async (tx) => {
    await visiblePerson(tx, actor, input.personId);
    const i = await tx.personIdentity.findFirst({ where: { id: input.identityId, personId: input.personId }, select: { id: true, channel: true, accountId: true, senderId: true } });
    if (!i) throw new AppError("not_found", "No such identity on this person.");
    const gone = await tx.personIdentity.deleteMany({ where: { id: i.id } });
    if (!gone.count) return { removed: false };
    await enqueueIdentityPolicyRefresh(tx);
    await recordAudit(tx, actor, { action: "person.identity_remove", targetType: "person", targetId: input.personId, before: i });
    return { removed: true };
  });
}

/** Create a group of people. */
export async function createGroup(actor: Actor, input: z.infer<typeof ZGroupCreate>) {
  try {
    return await db.$transaction(async (tx) => {
      const teamId = await teamFor(tx, actor, input.teamId);
      const g = await tx.personGroup.create({ data: { name: input.name, description: input.description, teamId: teamId ?? null }, select: GROUP });
      await recordAudit(tx, actor, { action: "group.create", targetType: "person_group", targetId: g.id, after: g });
      return g;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "A group with this name exists.", { name: ["Already in use."] });
    throw err;
  }
}

export async function updateGroup(actor: Actor, input: z.infer<typeof ZGroupUpdate>) {
  const { id, name, description, teamId: requested } = input;
  try {
    return await db.$transaction(async (tx) => {
      const before = await visibleGroup(tx, actor, id);
      const teamId = await teamFor(tx, actor, requested, before.teamId);
      const after = await tx.personGroup.update({
        where: { id },
        data: { ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}), ...(teamId !== undefined ? { teamId } : {}) },
        select: GROUP,
      });
      await recordAudit(tx, actor, { action: "group.update", targetType: "person_group", targetId: id, before, after });
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "A group with this name exists.", { name: ["Already in use."] });
    throw err;
  }
}

/** Delete a group: its members stay in the directory; rules and limits about the group go with it. */
export async function deleteGroup(actor: Actor, input: z.infer<typeof ZGroupId>) {
  return db.$transaction(async (tx) => {
    const before = await visibleGroup(tx, actor, input.id);
    const members = await tx.personGroupMember.count({ where: { groupId: input.id } });
    const gone = await tx.personGroup.deleteMany({ where: { id: input.id } });
    if (!gone.count) throw new AppError("not_found", "No such group.");
    await enqueueIdentityPolicyRefresh(tx);
    await recordAudit(tx, actor, { action: "group.delete", targetType: "person_group", targetId: input.id, before: { ...before, members } });
    return { deleted: true };
  });
}

/** Add a person to a group (already a member: nothing changes). */
export async function addMember(actor: Actor, input: z.infer<typeof ZGroupMember>) {
  return db.$transaction(async (tx) => {
    const g = await visibleGroup(tx, actor, input.groupId);
    const p = await visiblePerson(tx, actor, input.personId);
    if (g.teamId && p.teamId !== g.teamId) throw new AppError("invalid", "This group belongs to a team; only that team's people can join it.", { personId: ["Not in the group's team."] });
    const added = await tx.personGroupMember.createMany({ data: [{ groupId: g.id, personId: p.id }], skipDuplicates: true });
    if (added.count) {
      await enqueueIdentityPolicyRefresh(tx);
      await recordAudit(tx, actor, { action: "group.member_add", targetType: "person_group", targetId: g.id, after: { personId: p.id, person: p.displayName, group: g.name } });
    }
    return { groupId: g.id, personId: p.id, added: added.count > 0 };
  });
}

export async function removeMember(actor: Actor, input: z.infer<typeof ZGroupMember>) {
  return db.$transaction(async (tx) => {
    const g = await visibleGroup(tx, actor, input.groupId);
    const p = await visiblePerson(tx, actor, input.personId);
    const gone = await tx.personGroupMember.deleteMany({ where: { groupId: g.id, personId: p.id } });
    if (gone.count) {
      await enqueueIdentityPolicyRefresh(tx);
      await recordAudit(tx, actor, { action: "group.member_remove", targetType: "person_group", targetId: g.id, before: { personId: p.id, person: p.displayName, group: g.name } });
    }
    return { groupId: g.id, personId: p.id, removed: gone.count > 0 };
  });
}
