import "server-only";
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record";
import { endUserSessions } from "@/lib/auth/sessions";
import type { ZUserCreate, ZUserResetPassword, ZUserSetDisabled, ZUserSetRole } from "./schema";

const PUBLIC = { id: true, email: true, name: true, role: true, disabledAt: true, lastLoginAt: true, createdAt: true } as const;

/** A readable one-time password (shown once to the admin who invites or resets). */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}

/** Create or invite a user. Returns the generated password once when none was given. */
export async function createUser(actor: Actor, input: z.infer<typeof ZUserCreate>) {
  const generated = input.password ? null : generatePassword();
  const passwordHash = await hashPassword(input.password ?? generated!);
  try {
    const user = await db.$transaction(async (tx) => {
      const u = await tx.user.create({ data: { email: input.email, name: input.name, role: input.role, passwordHash }, select: PUBLIC });
      await recordAudit(tx, actor, { action: "user.create", targetType: "user", targetId: u.id, after: { email: u.email, name: u.name, role: u.role, invited: Boolean(generated) } });
      return u;
    });
    return { user, oneTimePassword: generated };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "A user with this email already exists.", { email: ["Already in use."] });
    throw err;
  }
}

async function loadUser(tx: Tx, id: string) {
  const u = await tx.user.findUnique({ where: { id }, select: PUBLIC });
  if (!u) throw new AppError("not_found", "No such user.");
  return u;
}

/**
 * Serialise changes to who is an active admin: two admins demoting or disabling each other at the
 * same moment would otherwise both pass the last-admin check.
 */
async function lockAdmins(tx: Tx) {
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('warden.users.admins'))`;
}

async function assertNotLastAdmin(tx: Tx, userId: string) {
  const admins = await tx.user.count({ where: { role: "admin", disabledAt: null, id: { not: userId } } });
  if (admins === 0) throw new AppError("conflict", "Warden needs at least one active admin.");
}

/** Change a user's role; open sessions pick it up on their next request. */
export async function setUserRole(actor: Actor, input: z.infer<typeof ZUserSetRole>) {
  return db.$transaction(async (tx) => {
    await lockAdmins(tx);
    const before = await loadUser(tx, input.id);
    if (before.role === input.role) throw new AppError("conflict", `This user is already ${input.role.replace(/_/g, " ")}.`);
    if (before.role === "admin" && input.role !== "admin") await assertNotLastAdmin(tx, input.id);
    // Conditional on the role read: a concurrent change in between makes this one a 409.
    const claimed = await tx.user.updateMany({ where: { id: input.id, role: before.role }, data: { role: input.role } });
    if (claimed.count !== 1) throw new AppError("conflict", "This user's role was changed by someone else a moment ago.");
    const after = await loadUser(tx, input.id);
    await recordAudit(tx, actor, { action: "user.set_role", targetType: "user", targetId: input.id, before: { role: before.role }, after: { role: after.role } });
    return after;
  });
}

/** Disable (or re-enable) a user; a disabled user's open sessions and tokens stop on their next request. */
export async function setUserDisabled(actor: Actor, input: z.infer<typeof ZUserSetDisabled>) {
  if (input.disabled && actor.userId === input.id) throw new AppError("conflict", "You cannot disable your own account.");
  return db.$transaction(async (tx) => {
    await lockAdmins(tx);
    const before = await loadUser(tx, input.id);
    if (input.disabled && before.disabledAt) throw new AppError("conflict", "This user is already disabled.");
    if (!input.disabled && !before.disabledAt) throw new AppError("conflict", "This user is not disabled.");
    if (input.disabled && before.role === "admin") await assertNotLastAdmin(tx, input.id);
    // Conditional in the database: of concurrent identical requests exactly one changes the row.
    const claimed = await tx.user.updateMany({
      where: { id: input.id, disabledAt: input.disabled ? null : { not: null } },
      data: input.disabled ? { disabledAt: new Date(), sessionEpoch: { increment: 1 } } : { disabledAt: null },
    });
    if (claimed.count !== 1) throw new AppError("conflict", input.disabled ? "This user is already disabled." : "This user is not disabled.");
    if (input.disabled) await endUserSessions(tx, input.id, "user_disabled");
    const after = await loadUser(tx, input.id);
    await recordAudit(tx, actor, {
      action: input.disabled ? "user.disable" : "user.enable",
      targetType: "user",
      targetId: input.id,
      before: { disabled: Boolean(before.disabledAt) },
      after: { disabled: Boolean(after.disabledAt) },
    });
    return after;
  });
}

/** Reset a password (given, or generated and returned once); ends the user's open sessions. */
export async function resetUserPassword(actor: Actor, input: z.infer<typeof ZUserResetPassword>) {
  const generated = input.password ? null : generatePassword();
  const passwordHash = await hashPassword(input.password ?? generated!);
  const user = await db.$transaction(async (tx) => {
    await loadUser(tx, input.id);
    const u = await tx.user.update({ where: { id: input.id }, data: { passwordHash, sessionEpoch: { increment: 1 } }, select: PUBLIC });
    await endUserSessions(tx, input.id, "password_reset");
    await recordAudit(tx, actor, { action: "user.reset_password", targetType: "user", targetId: input.id, after: { passwordChanged: true, generated: Boolean(generated) } });
    return u;
  });
  return { user, oneTimePassword: generated };
}
