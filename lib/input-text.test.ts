import { describe, expect, it, vi } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { makeUser, rid } from "@/test/factories";
import { findTextProblems, sanitizeJsonText, urlTextProblems } from "@/lib/validation";
import { parseListQuery } from "@/lib/list";

// Route handlers resolve the caller through getActor(); every request here is an admin's, so a
// 4xx can only come from the input check (never from a missing scope).
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const ROOT = path.resolve(__dirname, "..", "app", "api");

/** Every route file under app/api, found on disk so a new route is covered without editing this test. */
function routeFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name === "route.ts") out.push(path.join(dir, e.name));
    }
  };
  walk(ROOT);
  return out.sort();
}

// next-auth's own handler (a form body, checked in authorizeCredentials) is not a JSON route.
const ROUTES = routeFiles().filter((f) => !f.includes(`${path.sep}auth${path.sep}[...nextauth]`));
// Routes whose body is not JSON: the evidence verifier reads an uploaded archive and changes nothing.
const NOT_JSON = new Set(["/api/v1/evidence/verify"]);
const rel = (f: string) => "/api/" + path.relative(ROOT, path.dirname(f)).split(path.sep).join("/");
const dynamicNames = (f: string) => [...rel(f).matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]);

// Every query parameter name any list endpoint reads (and a few more): each one gets the bad value.
const PARAMS = [
  "q",
  "sort",
  "dir",
  "page",
  "pageSize",
  "status",
  "severity",
  "kind",
  "source",
  "review",
  "scope",
  "gateway",
  "agent",
  "tool",
  "decision",
  "range",
  "from",
  "to",
  "action",
  "outcome",
  "actor",
  "classification",
  "llm",
  "advisory",
  "verified",
  "trigger",
  "drill",
  "state",
  "endpointId",
  "at",
  "since",
  "target",
  "format",
  "wait",
];
const BAD_QUERIES = {
  "NUL (%00)": "a%00b",
  "lone surrogate (%ED%A0%80)": "%ED%A0%80",
  "lone low surrogate (%ED%B0%80)": "x%ED%B0%80",
};
// Raw JSON texts: JSON.parse turns these escapes into a NUL and lone surrogates.
const BAD_BODIES = {
  "NUL in a value": String.raw`{"name":"a\u0000b","reason":"a\u0000b","title":"a\u0000b","note":"a\u0000b","q":"x"}`,
  "lone surrogate in a value": String.raw`{"name":"a\ud800b","reason":"\udc00","title":"x\ud800","note":"\ud800"}`,
  "NUL in a key": String.raw`{"na\u0000me":"x","reason":"fine reason"}`,
  "lone surrogate in a nested value": String.raw`{"reason":"fine reason","checklist":{"items":["ok","\ud83d"]},"steps":[{"title":"\u0000"}]}`,
};

async function asAdmin() {
  const { actor } = await makeUser("admin");
  session.actor = actor;
}

async function call(file: string, method: string, req: Request, params: Record<string, string>) {
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>>;
  return mod[method](req, { params: Promise.resolve(params) });
}

const auditCount = () => db.auditEvent.count();

describe("the text check (lib/validation.ts)", () => {
  it("finds NUL and lone surrogates in values and keys, at any depth, without recursion", () => {
    expect(findTextProblems({ a: "fine", b: ["ok", { c: "x\u0000" }], "d\ud800": 1, e: "\udfff", pair: "\ud83d\ude00" })).toEqual({
      "b.1.c": ["contains a NUL byte"],
      ["d\ud800".toWellFormed()]: ["key contains a lone surrogate (not valid Unicode)"],
      e: ["contains a lone surrogate (not valid Unicode)"],
    });
    let deep: unknown = "\u0000";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(Object.values(findTextProblems(deep)!)).toEqual([["contains a NUL byte"]]);
    expect(findTextProblems({ ok: "emoji \ud83d\ude00 and text", n: 1, d: new Date() })).toBeNull();
  });
  it("rewrites NUL and unpaired surrogate escapes in JSON text, leaving pairs and escaped backslashes", () => {
    const parsed = JSON.parse(sanitizeJsonText(String.raw`{"a":"x\u0000y","b\ud800":"\udc00\ud83d\ude00","c":"\\u0000","d":"\\\u0000"}`));
    expect(parsed).toEqual({ a: "x\ufffdy", "b\ufffd": "\ufffd\ud83d\ude00", c: "\\u0000", d: "\\\ufffd" });
    expect(findTextProblems(parsed)).toBeNull();
  });
  it("checks URLs strictly: encoded NUL or non-UTF-8 in path or query, names included", () => {
    expect(urlTextProblems(new URL("http://x/api/v1/agents?q=a%00b"))).toEqual({ q: ["contains a NUL byte"] });
    expect(urlTextProblems(new URL("http://x/api/v1/agents?q=%ED%A0%80"))).toEqual({ q: ["is not valid UTF-8"] });
    expect(urlTextProblems(new URL("http://x/api/v1/agents/%00"))).toEqual({ path: ["contains a NUL byte"] });
    expect(urlTextProblems(new URL("http://x/api/v1/agents?a%00=1"))).toEqual({ query: ["a parameter name contains a NUL byte"] });
    expect(urlTextProblems(new URL("http://x/api/v1/agents?q=100%&r=%E2%9C%93+x"))).toBeNull();
  });
  it("parseListQuery reports and drops unstorable values (pages keep rendering)", () => {
    const { query, invalid } = parseListQuery({ q: "a\u0000", sort: "\ud800" });
    expect(invalid.sort()).toEqual(["q", "sort"]);
    expect(query.q).toBeUndefined();
  });
});

describe("every API route refuses NUL and lone surrogates with a 4xx and changes nothing", () => {
  it("finds the routes on disk", () => {
    expect(ROUTES.length).toBeGreaterThan(60);
  });

  for (const file of ROUTES) {
    const src = fs.readFileSync(file, "utf8");
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => new RegExp(`export (async )?function ${m}\\b`).test(src));
    const readsQuery = /queryParams\(req\)/.test(src);
    const readsJson = /runApiAction|readJson/.test(src);

    for (const method of methods) {
      if (method === "GET") {
        it(`GET ${rel(file)} with bad query values`, async () => {
          await asAdmin();
          const params = Object.fromEntries(dynamicNames(file).map((n) => [n, randomUUID()]));
          // One parameter at a time, so no other invalid value can be what answers the 400.
          for (const [what, bad] of Object.entries(BAD_QUERIES)) {
            for (const name of PARAMS) {
              const res = await call(file, "GET", new Request(`http://warden.test${rel(file)}?${name}=${bad}`), params);
              // List endpoints answer 400 naming the parameter; the others ignore the query (or fail
              // their own auth first) but never answer 500.
              if (readsQuery) {
                expect(res.status, `${name} ${what}: ${await res.clone().text()}`).toBe(400);
                expect(Object.keys((await res.json()).error.fieldErrors)).toEqual([name]);
              } else expect(res.status, `${name} ${what}`).toBeLessThan(500);
            }
          }
        });
        if (dynamicNames(file).length) {
          it(`GET ${rel(file)} with a NUL path parameter`, async () => {
            await asAdmin();
            const params = Object.fromEntries(dynamicNames(file).map((n) => [n, "a\u0000b"]));
            const res = await call(file, "GET", new Request(`http://warden.test${rel(file)}?at=${encodeURIComponent(new Date().toISOString())}`), params);
            expect(res.status).toBeLessThan(500);
          });
        }
        continue;
      }
      it(`${method} ${rel(file)} with bad JSON bodies and path parameters`, async () => {
        await asAdmin();
        const ids = Object.fromEntries(dynamicNames(file).map((n) => [n, randomUUID()]));
        const before = await auditCount();
        for (const [what, body] of Object.entries(BAD_BODIES)) {
          const req = new Request(`http://warden.test${rel(file)}`, { method, headers: { "content-type": "application/json" }, body });
          const res = await call(file, method, req, ids);
          if (!NOT_JSON.has(rel(file))) expect(res.status, `${what}: ${await res.clone().text()}`).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          // Refused for the text itself (not for some other missing field): the error names it.
          if (readsJson) expect(JSON.stringify((await res.json()).error.fieldErrors), what).toMatch(/NUL byte|lone surrogate/);
        }
        if (dynamicNames(file).length) {
          const bad = Object.fromEntries(dynamicNames(file).map((n) => [n, `x\u0000${rid()}`]));
          const res = await call(file, method, new Request(`http://warden.test${rel(file)}`, { method, headers: { "content-type": "application/json" }, body: "{}" }), bad);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          if (readsJson) expect(res.status).toBe(400);
        }
        // (The evidence verifier audits each verification; it stores nothing else.)
        if (!NOT_JSON.has(rel(file))) expect(await auditCount(), "no audit row: nothing changed").toBe(before);
      });
    }
  }

  it("names the offending field in the 400", async () => {
    await asAdmin();
    const file = ROUTES.find((f) => rel(f) === "/api/v1/agents")!;
    const res = await call(file, "POST", new Request("http://warden.test/api/v1/agents", { method: "POST", body: String.raw`{"name":"a\u0000","owner":"o","purpose":"\ud800","gatewayId":null}` }), {});
    expect(res.status).toBe(400);
    expect((await res.json()).error.fieldErrors).toEqual({ name: ["contains a NUL byte"], purpose: ["contains a lone surrogate (not valid Unicode)"] });
    const list = await call(file, "GET", new Request("http://warden.test/api/v1/agents?q=x%00"), {});
    expect(list.status).toBe(400);
    expect((await list.json()).error.fieldErrors).toEqual({ q: ["contains a NUL byte"] });
  });
});

describe("gateway-signed bodies: NUL and lone surrogates in free text are stored as U+FFFD, never a 500", () => {
  async function signedPost(route: string, body: string) {
    const { seal } = await import("@/lib/crypto");
    const { generateSigningSecret, signedHeaders } = await import("@/lib/connector/signature");
    const secret = generateSigningSecret();
    const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
    const file = ROUTES.find((f) => rel(f) === route)!;
    const req = new Request(`http://warden.test${route}`, { method: "POST", headers: { ...signedHeaders(secret, body), "x-warden-gateway": gateway.id, "content-type": "application/json" }, body });
    return { gateway, res: await call(file, "POST", req, {}) };
  }

  it("events: an event with a NUL is rejected on its own (listed in the 202), lone surrogates become U+FFFD", async () => {
    const id = `evt-${rid()}`;
    const at = new Date().toISOString();
    const body = String.raw`{"events":[{"eventId":"${id}-nul","occurredAt":"${at}","agentName":"bot","toolName":"web_fetch","decision":"allowed","params":{"u\u0000rl":"x"}},{"eventId":"${id}","occurredAt":"${at}","agentName":"bot\ud800x","toolName":"web_fetch","decision":"allowed","params":{"url":"a\ud800b","ok":"\ud83d\ude00"},"error":"e\udc00"},{"eventId":"${id}-2","occurredAt":"${at}","agentName":"bot","toolName":"exec","decision":"allowed","error":"a\u0000b"}]}`;
    const { gateway, res } = await signedPost("/api/v1/connector/events", body);
    expect(res.status, await res.clone().text()).toBe(202);
    const out = await res.json();
    expect(out.accepted).toBe(1);
    expect(out.rejected.map((r: { index: number }) => r.index)).toEqual([0, 2]);
    const row = await db.toolCall.findFirstOrThrow({ where: { gatewayId: gateway.id, eventId: id } });
    expect(row.agentName).toBe("bot\ufffdx");
    expect(row.params).toEqual({ url: "a\ufffdb", ok: "\ud83d\ude00" });
    expect(row.error).toBe("e\ufffd");
  });

  it("inventory: stored with the bad text replaced", async () => {
    const body = String.raw`{"agents":[{"id":"main\u0000","name":"Bot \ud800","model":"m","tools":["web\u0000fetch"]}],"tools":[],"config":{"k\udc00":"v\u0000"}}`;
    const { gateway, res } = await signedPost("/api/v1/connector/inventory", body);
    expect(res.status, await res.clone().text()).toBe(202);
    const gw = await db.gateway.findUniqueOrThrow({ where: { id: gateway.id } });
    expect(JSON.stringify(gw.inventory)).toContain("Bot \ufffd");
    expect(findTextProblems(gw.inventory)).toBeNull();
  });
});
