import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser } from "@/test/factories";
import { authorizeCredentials } from "./options";
import { endSession, liveSession, startSession } from "./sessions";
import { resetUserPasswordAction, setUserDisabledAction } from "@/lib/users/actions";

const open = (userId: string) => db.$transaction((tx) => startSession(tx, userId, { ip: "203.0.113.9", userAgent: "vitest" }));

describe("server-side console sessions", () => {
  it("a sign-in records a session whose id the cookie carries", async () => {
    const { user } = await makeUser("operator", { password: "correct horse battery" });
    const signedIn = (await authorizeCredentials({ email: user.email, password: "correct horse battery" }, { headers: { "user-agent": "vitest" } }))!;
    expect(signedIn.sid).toMatch(/^[0-9a-f-]{36}$/);
    const row = await db.userSession.findUniqueOrThrow({ where: { id: signedIn.sid } });
    expect(row).toMatchObject({ userId: user.id, endedAt: null, userAgent: "vitest" });
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    expect((await liveSession(signedIn.sid, user.id))?.user.id).toBe(user.id);
  });

  it("sign-out ends the session: the same cookie is then anonymous; audited once", async () => {
    const { user, actor } = await makeUser("operator");
    const sid = await open(user.id);
    expect(await liveSession(sid, user.id)).not.toBeNull();
    expect(await endSession(sid, actor)).toBe(true);
    expect(await liveSession(sid, user.id)).toBeNull();
    expect(await endSession(sid, actor)).toBe(false);
    expect(await db.auditEvent.count({ where: { action: "auth.logout", targetId: sid, outcome: "success" } })).toBe(1);
    expect(await db.userSession.findUniqueOrThrow({ where: { id: sid } })).toMatchObject({ endReason: "signed_out" });
  });

  it("a cookie without a session id, with an unknown or malformed one, or another user's, is anonymous", async () => {
    const { user } = await makeUser("operator");
    const other = await makeUser("operator");
    const sid = await open(other.user.id);
    expect(await liveSession(undefined, user.id)).toBeNull();
    expect(await liveSession("00000000-0000-4000-8000-000000000000", user.id)).toBeNull();
    expect(await liveSession("not-a-uuid\u0000", user.id)).toBeNull();
    expect(await liveSession(sid, user.id)).toBeNull();
  });

  it("an expired session is anonymous; use slides the expiry forward", async () => {
    const { user } = await makeUser("operator");
    const sid = await open(user.id);
    await db.userSession.update({ where: { id: sid }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await liveSession(sid, user.id)).toBeNull();
    const sid2 = await open(user.id);
    await db.userSession.update({ where: { id: sid2 }, data: { lastSeenAt: new Date(Date.now() - 3_600_000), expiresAt: new Date(Date.now() + 60_000) } });
    expect(await liveSession(sid2, user.id)).not.toBeNull();
    expect((await db.userSession.findUniqueOrThrow({ where: { id: sid2 } })).expiresAt.getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
  });

  it("disabling a user or resetting their password ends their open sessions", async () => {
    const { actor } = await makeUser("admin");
    const a = await makeUser("operator");
    const [s1, s2] = [await open(a.user.id), await open(a.user.id)];
    expect(await execute(actor, setUserDisabledAction, { id: a.user.id, disabled: true })).toMatchObject({ ok: true });
    expect(await db.userSession.findMany({ where: { id: { in: [s1, s2] } }, select: { endReason: true } })).toEqual([{ endReason: "user_disabled" }, { endReason: "user_disabled" }]);
    const b = await makeUser("operator");
    const s3 = await open(b.user.id);
    expect(await execute(actor, resetUserPasswordAction, { id: b.user.id })).toMatchObject({ ok: true });
    expect(await liveSession(s3, b.user.id)).toBeNull();
  });
});
