import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser } from "@/test/factories";
import { createTokenAction, revokeTokenAction } from "./actions";
import { hashToken } from "./token";

describe("personal API tokens", () => {
  it("are shown once and stored only as a hash", async () => {
    const { actor, user } = await makeUser("auditor");
    const res = await execute(actor, createTokenAction, { name: "export bot", expiresInDays: "30" });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data.token).toMatch(/^wdn_[A-Za-z0-9_-]{43}$/);
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: res.data.id } });
    expect(row.tokenHash).toBe(hashToken(res.data.token));
    expect(JSON.stringify(row)).not.toContain(res.data.token);
    expect(row.userId).toBe(user.id);
    expect(Math.round((row.expiresAt.getTime() - Date.now()) / 86_400_000)).toBe(30);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "token.create", targetId: row.id } });
    expect(JSON.stringify({ ...audit, id: String(audit.id) })).not.toContain(res.data.token);
  });

  it("can be revoked only by their owner", async () => {
    const { actor } = await makeUser("operator");
    const { actor: other } = await makeUser("admin");
    const res = await execute(actor, createTokenAction, { name: "mine" });
    if (!res.ok) throw new Error("create failed");
    expect(await execute(other, revokeTokenAction, { id: res.data.id })).toMatchObject({ ok: false, status: 404 });
    expect(await execute(actor, revokeTokenAction, { id: res.data.id })).toMatchObject({ ok: true });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: res.data.id } })).revokedAt).not.toBeNull();
  });

  it("rejects bad expiry with field errors", async () => {
    const { actor } = await makeUser("manager");
    expect(await execute(actor, createTokenAction, { name: "", expiresInDays: 9999 })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { name: expect.any(Array), expiresInDays: expect.any(Array) },
    });
  });

  it("cannot be minted by another token", async () => {
    const { actor } = await makeUser("admin");
    expect(await execute({ ...actor, kind: "api_token" }, createTokenAction, { name: "chain" })).toMatchObject({ ok: false, status: 403 });
  });
});
