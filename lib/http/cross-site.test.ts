import http from "node:http";
import type { AddressInfo } from "node:net";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser } from "@/test/factories";
import { clientIpHeader, clientIpOf } from "./client-ip";
import { checkCrossSite } from "./same-origin";
import { installServerHook } from "./server-hook";

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
    for (const type of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "application/json, text/plain",
      "text/plain; application/json",
    ]) {
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

describe("the server hook (every request, before Next)", () => {
  let server: http.Server;
  let port: number;
  const reached: { method: string; url: string; ip: string | null }[] = [];

  beforeAll(async () => {
    // The direct gateway endpoint off: this suite checks what reaches Next (lib/http/direct-routes.test.ts covers it).
    installServerHook({ WARDEN_URL: ORIGIN, WARDEN_CONNECTOR_DIRECT: "off" });
    server = http.createServer((req, res) => {
      reached.push({ method: req.method!, url: req.url!, ip: clientIpOf({ get: (n) => (req.headers[n] as string | undefined) ?? null }) });
      res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function send(method: string, path: string, headers: Record<string, string>, body = "", localAddress = "127.0.0.1") {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method, path, headers, localAddress, agent: false }, (res) => {
        let b = "";
        res.on("data", (c) => (b += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: b }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  async function sessionCookie(userId: string) {
    const token = await encode({ token: { uid: userId, epoch: 0, sub: userId }, secret: SECRET });
    return `next-auth.session-token=${token}`;
  }

  it("refuses a cross-site API mutation with 403 before the app sees it, and audits it as the user's denial", async () => {
    const { user } = await makeUser("admin");
    reached.length = 0;
    const res = await send(
      "POST",
      "/api/v1/incidents",
      { cookie: await sessionCookie(user.id), origin: "https://evil.example", "content-type": "text/plain" },
      JSON.stringify({ title: "pwned", severity: "high" }),
      "127.0.0.31",
    );
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "forbidden" } });
    expect(reached).toEqual([]);
    const rows = await db.auditEvent.findMany({ where: { action: "request.cross_site", actorId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "denied", targetId: "POST /api/v1/incidents", actorLabel: user.email, ip: "127.0.0.31" });
    expect(rows[0].after).toMatchObject({ origin: "https://evil.example" });
  });

  it("refuses a cross-site post to a page (a server action) and odd path spellings too", async () => {
    const { user } = await makeUser("operator");
    const cookie = await sessionCookie(user.id);
    reached.length = 0;
    for (const path of ["/incidents", "//api/v1/incidents", "/api/v1/x/../incidents", "/api/auth/../v1/incidents", "/api/auth/session", "http://elsewhere/api/v1/incidents"]) {
      expect((await send("POST", path, { cookie, origin: "http://127.0.0.1:9", "next-action": "abc" }, "[]")).status, path).toBe(403);
    }
    expect(reached).toEqual([]);
    expect(await db.auditEvent.count({ where: { action: "request.cross_site", actorId: user.id } })).toBe(6);
  });

  it("passes same-origin JSON on with the socket address stamped, refuses text/plain with 415, and leaves bearer and cookie-less requests alone", async () => {
    const { user } = await makeUser("admin");
    const cookie = await sessionCookie(user.id);
    reached.length = 0;
    expect((await send("POST", "/api/v1/incidents", { cookie, origin: ORIGIN, "content-type": "application/json", "x-forwarded-for": "203.0.113.5" }, "{}", "127.0.0.32")).status).toBe(200);
    expect((await send("POST", "/api/v1/incidents", { cookie, origin: ORIGIN, "content-type": "text/plain" }, "{}")).status).toBe(415);
    expect((await send("POST", "/api/v1/incidents", { cookie, authorization: "Bearer wdn_x", origin: "https://evil.example", "content-type": "text/plain" }, "{}")).status).toBe(200);
    expect((await send("POST", "/api/v1/connector/events", { origin: "https://evil.example", "content-type": "application/json" }, "{}")).status).toBe(200);
    expect((await send("POST", "/api/auth/callback/credentials", { cookie, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, "a=b")).status).toBe(200);
    expect(reached.map((r) => r.url)).toEqual(["/api/v1/incidents", "/api/v1/incidents", "/api/v1/connector/events", "/api/auth/callback/credentials"]);
    expect(reached[0].ip).toBe("127.0.0.32");
    expect(await db.auditEvent.count({ where: { action: "request.cross_site", actorId: user.id } })).toBe(0);
  });

  it("stamps the socket address, never a client-sent header, under a random per-process name", async () => {
    reached.length = 0;
    await send("GET", "/", { "x-forwarded-for": "203.0.113.66", "x-real-ip": "203.0.113.67" }, "", "127.0.0.23");
    // A client sending the header itself (say it learnt the name) is overwritten.
    await send("GET", "/", { [clientIpHeader()]: "203.0.113.68" }, "", "127.0.0.24");
    expect(reached.map((r) => r.ip)).toEqual(["127.0.0.23", "127.0.0.24"]);
    expect(clientIpHeader()).toMatch(/^x-warden-client-ip-[0-9a-f]{24}$/);
  });

  it("refuses a bad WARDEN_TRUST_PROXY or WARDEN_URL with a clear message", () => {
    expect(() => installServerHook({ WARDEN_TRUST_PROXY: "true" })).toThrow(/WARDEN_TRUST_PROXY/);
    expect(() => installServerHook({ WARDEN_URL: "not a url" })).toThrow(/WARDEN_URL/);
    expect(() => installServerHook({ WARDEN_URL: "ftp://warden.example.com" })).toThrow(/WARDEN_URL/);
  });
});
