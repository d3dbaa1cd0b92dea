import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser } from "@/test/factories";
import { proxy } from "@/proxy";
import { checkCrossSite } from "./same-origin";

const ORIGIN = "https://warden.example.com";
const SECRET = "test-secret-test-secret-test-secret";
const COOKIE = "next-auth.session-token=x";

function verdict(method: string, pathname: string, headers: Record<string, string>) {
  return checkCrossSite({ method, pathname, headers: new Headers(headers) }, ORIGIN);
}

describe("checkCrossSite", () => {
  it("lets a same-origin JSON request through, by Origin or by Sec-Fetch-Site", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(verdict(method, "/api/v1/incidents", { cookie: COOKIE, origin: ORIGIN, "content-type": "application/json" })).toEqual({ ok: true });
      expect(verdict(method, "/api/v1/incidents", { cookie: COOKIE, "sec-fetch-site": "same-origin", "content-type": "application/json; charset=utf-8" })).toEqual({ ok: true });
    }
    // A bodiless request needs no content type.
    expect(verdict("DELETE", "/api/v1/tokens/1", { cookie: COOKIE, origin: ORIGIN })).toEqual({ ok: true });
  });

  it.each([
    ["another origin", { origin: "https://evil.example" }],
    ["a sibling port (same site: the cookie is sent)", { origin: "https://warden.example.com:8443" }],
    ["a subdomain", { origin: "https://x.warden.example.com" }],
    ["the other scheme", { origin: "http://warden.example.com" }],
    ["Origin: null (sandboxed frame, redirect)", { origin: "null" }],
    ["a prefix of our origin", { origin: "https://warden.example.com.evil.example" }],
    ["our origin with a trailing slash", { origin: `${ORIGIN}/` }],
    ["no Origin and no Sec-Fetch-Site", {}],
    ["no Origin, Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
    ["no Origin, Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site" }],
    ["no Origin, Sec-Fetch-Site none", { "sec-fetch-site": "none" }],
    ["our Origin but Sec-Fetch-Site cross-site", { origin: ORIGIN, "sec-fetch-site": "cross-site" }],
  ])("refuses a signed-in state change from %s", (_name, headers) => {
    for (const path of ["/api/v1/incidents", "/api/v1/evidence/verify", "/api/v1/connector/events", "/incidents"]) {
      const v = verdict("POST", path, { cookie: `a=b; ${COOKIE}`, "content-type": "application/json", ...headers });
      expect(v).toMatchObject({ ok: false, status: 403, reason: "cross_site" });
    }
  });

  it("finds the session cookie under any prefix or chunk", () => {
    for (const cookie of ["__Secure-next-auth.session-token=x", "next-auth.session-token.0=x; next-auth.session-token.1=y", "NEXT-AUTH.SESSION-TOKEN=x"]) {
      expect(verdict("POST", "/api/v1/incidents", { cookie, origin: "https://evil.example", "content-type": "application/json" }).ok).toBe(false);
    }
  });

  it("requires JSON on the API (the types a page can send without a preflight are refused)", () => {
    const base = { cookie: COOKIE, origin: ORIGIN };
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json, text/plain", "text/plain; application/json"]) {
      expect(verdict("POST", "/api/v1/incidents", { ...base, "content-type": type })).toMatchObject({ ok: false, status: 415 });
    }
    expect(verdict("POST", "/api/v1/incidents", { ...base, "content-length": "12" })).toMatchObject({ ok: false, status: 415 });
    // The upload route takes its own type, and only that.
    expect(verdict("POST", "/api/v1/evidence/verify", { ...base, "content-type": "application/gzip" })).toEqual({ ok: true });
    expect(verdict("POST", "/api/v1/evidence/verify", { ...base, "content-type": "text/plain" })).toMatchObject({ ok: false, status: 415 });
    // Server actions post text/plain to pages: the origin check alone applies there.
    expect(verdict("POST", "/incidents", { ...base, "content-type": "text/plain;charset=UTF-8" })).toEqual({ ok: true });
  });

  it("leaves alone: safe methods, bearer tokens, cookie-less requests and next-auth's own endpoints", () => {
    const evil = { origin: "https://evil.example", "content-type": "text/plain" };
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect(verdict(method, "/api/v1/incidents", { cookie: COOKIE, ...evil }).ok).toBe(true);
    expect(verdict("POST", "/api/v1/incidents", { cookie: COOKIE, authorization: "Bearer wdn_x", ...evil }).ok).toBe(true);
    expect(verdict("POST", "/api/v1/connector/events", { ...evil })).toEqual({ ok: true });
    expect(verdict("POST", "/api/auth/callback/credentials", { cookie: COOKIE, ...evil })).toEqual({ ok: true });
    // "Basic" or "bearer" is not the bearer path of getActor: the cookie still authenticates.
    expect(verdict("POST", "/api/v1/incidents", { cookie: COOKIE, authorization: "Basic abc", ...evil }).ok).toBe(false);
    expect(verdict("POST", "/api/v1/incidents", { cookie: COOKIE, authorization: "bearer wdn_x", ...evil }).ok).toBe(false);
  });
});

describe("proxy", () => {
  beforeAll(() => {
    process.env.WARDEN_URL = ORIGIN;
  });

  async function sessionCookie(userId: string) {
    const token = await encode({ token: { uid: userId, epoch: 0, sub: userId }, secret: SECRET });
    return `next-auth.session-token=${token}`;
  }

  it("refuses a cross-site API mutation with 403 and audits it as the signed-in user's denial", async () => {
    const { user } = await makeUser("admin");
    const req = new NextRequest(`${ORIGIN}/api/v1/incidents`, {
      method: "POST",
      headers: { cookie: await sessionCookie(user.id), origin: "https://evil.example", "content-type": "text/plain" },
      body: JSON.stringify({ title: "pwned", severity: "high" }),
    });
    const res = await proxy(req);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "forbidden" } });
    const rows = await db.auditEvent.findMany({ where: { action: "request.cross_site", actorId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "denied", targetId: "POST /api/v1/incidents", actorLabel: user.email });
    expect(rows[0].after).toMatchObject({ origin: "https://evil.example" });
  });

  it("refuses a cross-site server action post to a page as well", async () => {
    const { user } = await makeUser("operator");
    const req = new NextRequest(`${ORIGIN}/incidents`, { method: "POST", headers: { cookie: await sessionCookie(user.id), origin: "http://127.0.0.1:9", "next-action": "abc" }, body: "[]" });
    expect((await proxy(req)).status).toBe(403);
    expect(await db.auditEvent.count({ where: { action: "request.cross_site", actorId: user.id } })).toBe(1);
  });

  it("passes same-origin requests on, and refuses a text/plain body with 415", async () => {
    const { user } = await makeUser("admin");
    const cookie = await sessionCookie(user.id);
    const ok = await proxy(new NextRequest(`${ORIGIN}/api/v1/incidents`, { method: "POST", headers: { cookie, origin: ORIGIN, "content-type": "application/json" }, body: "{}" }));
    expect(ok.headers.get("x-middleware-next")).toBe("1");
    const plain = await proxy(new NextRequest(`${ORIGIN}/api/v1/incidents`, { method: "POST", headers: { cookie, origin: ORIGIN, "content-type": "text/plain" }, body: "{}" }));
    expect(plain.status).toBe(415);
    expect(await db.auditEvent.count({ where: { action: "request.cross_site", actorId: user.id } })).toBe(0);
  });
});
