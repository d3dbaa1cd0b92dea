import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { createUserAction, resetUserPasswordAction, setUserDisabledAction, setUserRoleAction } from "./actions";
import { verifyPassword } from "@/lib/auth/password";

describe("user administration", () => {
  it("creates a user with an audit event in the same transaction", async () => {
    const { actor } = await makeUser("admin");
    const email = `new-${rid()}@test.local`;
    const res = await execute(actor, createUserAction, { email: email.toUpperCase(), name: "New Person", role: "operator" });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data.user.email).toBe(email);
    expect(res.data.oneTimePassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const stored = await db.user.findUniqueOrThrow({ where: { email } });
    expect(await verifyPassword(stored.passwordHash, res.data.oneTimePassword!)).toBe(true);
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "user.create", targetId: stored.id } });
    expect(audit).toMatchObject({ outcome: "success", actorLabel: actor.label, role: "admin", ip: "203.0.113.9" });
    expect(JSON.stringify(audit.after)).not.toContain(res.data.oneTimePassword!);
  });

  it.each([
    ["missing fields", {}, ["email", "name", "role"]],
    ["wrong types", { email: 42, name: ["x"], role: "root" }, ["email", "name", "role"]],
    ["oversize strings", { email: `${"a".repeat(300)}@x.io`, name: "n".repeat(500), role: "admin", password: "p".repeat(500) }, ["email", "name", "password"]],
    ["short password", { email: `ok-${rid()}@x.io`, name: "ok", role: "admin", password: "short" }, ["password"]],
  ])("rejects %s with field errors and writes nothing", async (_label, input, fields) => {
    const { actor } = await makeUser("admin");
    const [users, events] = await Promise.all([db.user.count(), db.auditEvent.count()]);
    const res = await execute(actor, createUserAction, input);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.status).toBe(400);
    expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual([...fields].sort());
    expect(await db.user.count()).toBe(users);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("refuses a duplicate email with 409 and a field error", async () => {
    const { actor, user } = await makeUser("admin");
    const res = await execute(actor, createUserAction, { email: user.email, name: "Dup", role: "manager" });
    expect(res).toMatchObject({ ok: false, status: 409, fieldErrors: { email: ["Already in use."] } });
  });

  it.each(["security_lead", "operator", "auditor", "manager"] as const)("denies %s and audits the denial", async (role) => {
    const { actor } = await makeUser(role);
    const { user: target } = await makeUser("manager");
    for (const [def, input] of [
      [createUserAction, { email: `x-${rid()}@t.io`, name: "x", role: "admin" }],
      [setUserRoleAction, { id: target.id, role: "admin" }],
      [setUserDisabledAction, { id: target.id, disabled: true }],
      [resetUserPasswordAction, { id: target.id }],
    ] as const) {
      const res = await execute(actor, def as typeof createUserAction, input);
      expect(res).toMatchObject({ ok: false, status: 403 });
      const denial = await db.auditEvent.findFirst({ where: { action: def.name, outcome: "denied", actorLabel: actor.label } });
      expect(denial, `${role} ${def.name}`).not.toBeNull();
    }
    expect(await db.user.findUniqueOrThrow({ where: { id: target.id } })).toMatchObject({ role: "manager", disabledAt: null });
  });

  it("disabling bumps the session epoch (ends open sessions) and keeps the last admin", async () => {
    const { actor, user: me } = await makeUser("admin");
    const { user } = await makeUser("operator");
    const res = await execute(actor, setUserDisabledAction, { id: user.id, disabled: true });
    expect(res.ok).toBe(true);
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.disabledAt).not.toBeNull();
    expect(after.sessionEpoch).toBe(user.sessionEpoch + 1);
    // Disabling yourself is refused.
    expect(await execute(actor, setUserDisabledAction, { id: me.id, disabled: true })).toMatchObject({ ok: false, status: 409 });
  });

  it("never demotes the last active admin", async () => {
    const { db: prisma } = await import("@/lib/db");
    await prisma.user.updateMany({ where: { role: "admin" }, data: { role: "auditor" } });
    const { actor, user: onlyAdmin } = await makeUser("admin");
    const res = await execute({ ...actor, userId: "00000000-0000-0000-0000-000000000000" }, setUserRoleAction, { id: onlyAdmin.id, role: "manager" });
    expect(res).toMatchObject({ ok: false, status: 409 });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: onlyAdmin.id } })).role).toBe("admin");
  });

  it("a password reset changes the hash, bumps the epoch and returns a one-time password", async () => {
    const { actor } = await makeUser("admin");
    const { user } = await makeUser("auditor", { password: "original-password-123" });
    const res = await execute(actor, resetUserPasswordAction, { id: user.id });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(after.passwordHash, "original-password-123")).toBe(false);
    expect(await verifyPassword(after.passwordHash, res.data.oneTimePassword!)).toBe(true);
    expect(after.sessionEpoch).toBe(user.sessionEpoch + 1);
  });
});
