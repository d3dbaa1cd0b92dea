/**
 * The role × action matrix. Every mutation and every read of restricted data is called directly
 * — API routes with a personal token or session cookie, server actions by their id with a session
 * cookie, pages by URL — for every role. Allowed calls succeed; the rest get 403 and leave an audit
 * record of the denial. Expectations are written out here on purpose, independent of lib/auth/roles.ts.
 */
import { request as pwRequest } from "@playwright/test";
import { ROLES, auditCount, callAction, expect, makeToken, makeTokenRow, makeUser, rid, signInApi, sql, test, type Role } from "./fixtures";

const ADMIN: Role[] = ["admin"];
const AUDIT_READERS: Role[] = ["admin", "security_lead", "auditor"];
const EVERYONE: Role[] = [...ROLES];
const PARAM_READERS: Role[] = ["admin", "security_lead", "operator", "auditor"];
const RULE_MANAGERS: Role[] = ["admin", "security_lead"];

type Case = { name: string; audit: string; allowed: Role[]; okStatus?: number; call: (ctx: Ctx) => Promise<{ status(): number }> };
type Ctx = { api: Awaited<ReturnType<typeof pwRequest.newContext>>; target: string; ownTokenId: string };

/** An agent on a gateway of its own, so a rule for it reaches no other spec's gateway. */
async function isolatedAgent(): Promise<string> {
  const { rows } = await sql().query<{ id: string }>(
    "with g as (insert into gateways (id, name, kind, environment, updated_at) values (gen_random_uuid(), $1, 'generic', 'test', now()) returning id) insert into agents (id, name, owner, purpose, gateway_id, updated_at) select gen_random_uuid(), $2, 'e2e', 'matrix', g.id, now() from g returning id::text",
    [`gw-matrix-${rid()}`, `agent-matrix-${rid()}`],
  );
  return rows[0]!.id;
}

// Mutations through the machine API (Bearer token).
const API_MUTATIONS: Case[] = [
  {
    name: "POST /api/v1/users",
    audit: "user.create",
    allowed: ADMIN,
    okStatus: 201,
    call: ({ api }) => api.post("/api/v1/users", { data: { email: `m-${rid()}@e2e.local`, name: "Matrix", role: "manager" } }),
  },
  { name: "PATCH /api/v1/users/{id} role", audit: "user.set_role", allowed: ADMIN, call: ({ api, target }) => api.patch(`/api/v1/users/${target}`, { data: { role: "auditor" } }) },
  { name: "PATCH /api/v1/users/{id} disabled", audit: "user.set_disabled", allowed: ADMIN, call: ({ api, target }) => api.patch(`/api/v1/users/${target}`, { data: { disabled: true } }) },
  { name: "POST /api/v1/users/{id}/password", audit: "user.reset_password", allowed: ADMIN, call: ({ api, target }) => api.post(`/api/v1/users/${target}/password`, { data: {} }) },
  { name: "POST /api/v1/teams", audit: "team.create", allowed: ADMIN, okStatus: 201, call: ({ api }) => api.post("/api/v1/teams", { data: { name: `matrix-${rid()}` } }) },
  { name: "DELETE /api/v1/tokens/{id} (own)", audit: "token.revoke", allowed: EVERYONE, call: ({ api, ownTokenId }) => api.delete(`/api/v1/tokens/${ownTokenId}`) },
  {
    name: "POST /api/v1/tool-calls/views (own)",
    audit: "tool_call_view.create",
    allowed: EVERYONE,
    okStatus: 201,
    call: ({ api }) => api.post("/api/v1/tool-calls/views", { data: { name: `matrix ${rid()}`, filters: { decision: "blocked" } } }),
  },
  {
    name: "POST /api/v1/approval-rules",
    audit: "approval_rule.create",
    allowed: RULE_MANAGERS,
    okStatus: 201,
    call: ({ api }) => api.post("/api/v1/approval-rules", { data: { scope: "tool", toolName: `m_${rid()}`, reason: "matrix rule" } }),
  },
  {
    name: "POST /api/v1/identity-rules",
    audit: "identity_rule.create",
    allowed: RULE_MANAGERS,
    okStatus: 201,
    call: async ({ api }) => api.post("/api/v1/identity-rules", { data: { subject: "anyone", agentId: await isolatedAgent(), toolName: `m_${rid()}`, effect: "deny", reason: "matrix rule" } }),
  },
  {
    name: "POST /api/v1/rate-limits",
    audit: "rate_limit.create",
    allowed: RULE_MANAGERS,
    okStatus: 201,
    call: async ({ api }) => api.post("/api/v1/rate-limits", { data: { subject: "anyone", agentId: await isolatedAgent(), perMinute: 5, reason: "matrix limit" } }),
  },
  { name: "POST /api/v1/people", audit: "person.create", allowed: RULE_MANAGERS, okStatus: 201, call: ({ api }) => api.post("/api/v1/people", { data: { displayName: `Matrix ${rid()}` } }) },
  { name: "POST /api/v1/groups", audit: "group.create", allowed: RULE_MANAGERS, okStatus: 201, call: ({ api }) => api.post("/api/v1/groups", { data: { name: `matrix-${rid()}` } }) },
];

// Reads of restricted data.
const API_READS: Case[] = [
  { name: "GET /api/v1/users", audit: "read:users", allowed: ADMIN, call: ({ api }) => api.get("/api/v1/users") },
  { name: "GET /api/v1/teams", audit: "read:teams", allowed: ADMIN, call: ({ api }) => api.get("/api/v1/teams") },
  { name: "GET /api/v1/audit/events", audit: "read:audit.events", allowed: AUDIT_READERS, call: ({ api }) => api.get("/api/v1/audit/events?pageSize=5") },
  { name: "GET /api/v1/audit/verify", audit: "read:audit.verify", allowed: AUDIT_READERS, call: ({ api }) => api.get("/api/v1/audit/verify") },
  { name: "POST /api/v1/audit/verify", audit: "read:audit.verify", allowed: AUDIT_READERS, call: ({ api }) => api.post("/api/v1/audit/verify", { data: { serverFile: false } }) },
  { name: "GET /api/v1/approvals", audit: "read:approvals", allowed: PARAM_READERS, call: ({ api }) => api.get("/api/v1/approvals?limit=5") },
  { name: "GET /api/v1/jobs", audit: "read:jobs", allowed: ["admin", "auditor"], call: ({ api }) => api.get("/api/v1/jobs") },
];

// Server actions, called by id with a session cookie.
const ACTIONS: { name: string; audit: string; allowed: Role[]; arg: (target: string) => unknown }[] = [
  { name: "createUser", audit: "user.create", allowed: ADMIN, arg: () => ({ email: `a-${rid()}@e2e.local`, name: "Via action", role: "manager" }) },
  { name: "setUserRole", audit: "user.set_role", allowed: ADMIN, arg: (t) => ({ id: t, role: "auditor" }) },
  { name: "setUserDisabled", audit: "user.set_disabled", allowed: ADMIN, arg: (t) => ({ id: t, disabled: true }) },
  { name: "resetUserPassword", audit: "user.reset_password", allowed: ADMIN, arg: (t) => ({ id: t }) },
  { name: "createToken", audit: "token.create", allowed: EVERYONE, arg: () => ({ name: `t-${rid()}`, expiresInDays: 7 }) },
  { name: "createApprovalRule", audit: "approval_rule.create", allowed: RULE_MANAGERS, arg: () => ({ scope: "tool", toolName: `a_${rid()}`, reason: "matrix rule via action" }) },
  { name: "setModelPrice", audit: "model_price.set", allowed: ADMIN, arg: () => ({ provider: `authz${rid()}`, model: "m", inputUsdPerMTok: "1", outputUsdPerMTok: "2" }) },
  { name: "setModelRule", audit: "model_rule.set", allowed: RULE_MANAGERS, arg: () => ({ scope: "internal", pattern: `authz${rid()}/*`, status: "allowed" }) },
  // A range no gateway reports, so the matrix opens no findings.
  { name: "createPerson", audit: "person.create", allowed: RULE_MANAGERS, arg: () => ({ displayName: `Matrix ${rid()}` }) },
  { name: "createGroup", audit: "group.create", allowed: RULE_MANAGERS, arg: () => ({ name: `matrix-${rid()}` }) },
  { name: "createAdvisory", audit: "advisory.create", allowed: RULE_MANAGERS, arg: () => ({ product: "openclaw", versionRange: "<0.0.1", severity: "low", title: `matrix advisory ${rid()}` }) },
];

const PAGES: { path: string; allowed: Role[] }[] = [
  { path: "/", allowed: EVERYONE },
  { path: "/tool-calls", allowed: EVERYONE },
  { path: "/posture", allowed: EVERYONE },
  { path: "/containment", allowed: EVERYONE },
  { path: "/incidents", allowed: EVERYONE },
  { path: "/playbooks", allowed: EVERYONE },
  { path: "/spend", allowed: EVERYONE },
  { path: "/spend/models", allowed: EVERYONE },
  { path: "/audit/evidence", allowed: ["admin", "auditor"] },
  { path: "/admin/webhooks", allowed: ["admin", "security_lead"] },
  { path: "/audit", allowed: AUDIT_READERS },
  { path: "/admin/users", allowed: ADMIN },
  { path: "/teams", allowed: ADMIN },
  { path: "/admin/jobs", allowed: ["admin", "auditor"] },
  { path: "/account", allowed: EVERYONE },
  { path: "/approvals", allowed: PARAM_READERS },
  { path: "/approvals/rules", allowed: EVERYONE },
  { path: "/people/rules", allowed: EVERYONE },
  { path: "/people", allowed: EVERYONE },
  { path: "/people/groups", allowed: EVERYONE },
  { path: "/people/new", allowed: RULE_MANAGERS },
];

for (const role of ROLES) {
  test.describe(`as ${role}`, () => {
    test("API mutations and reads", async ({ baseURL }) => {
      const me = await makeUser(role);
      const token = await makeToken(me);
      const label = `${me.email} (token)`;
      for (const c of [...API_MUTATIONS, ...API_READS]) {
        const target = (await makeUser("manager")).id;
        const own = await makeTokenRow(me);
        const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
        const denialsBefore = await auditCount({ action: c.audit, outcome: "denied", actorLabel: label });
        const res = await c.call({ api, target, ownTokenId: own.id });
        const allowed = c.allowed.includes(role);
        expect(res.status(), `${role} ${c.name}`).toBe(allowed ? (c.okStatus ?? 200) : 403);
        expect(await auditCount({ action: c.audit, outcome: "denied", actorLabel: label }), `denial audited for ${role} ${c.name}`).toBe(denialsBefore + (allowed ? 0 : 1));
        await api.dispose();
      }
    });

    test("an API token cannot mint another token", async ({ baseURL }) => {
      const me = await makeUser(role);
      const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(me)}` } });
      expect((await api.post("/api/v1/tokens", { data: { name: "chained" } })).status()).toBe(403);
      await api.dispose();
    });

    test("server actions called directly", async ({ baseURL }) => {
      const me = await makeUser(role);
      const ctx = await pwRequest.newContext({ baseURL });
      await signInApi(ctx, me);
      for (const a of ACTIONS) {
        const target = (await makeUser("manager")).id;
        const before = await auditCount({ action: a.audit, outcome: "denied", actorLabel: me.email });
        const { result, raw } = await callAction(ctx, a.name, a.arg(target));
        expect(result, `${a.name} returned a result: ${raw.slice(0, 300)}`).not.toBeNull();
        const allowed = a.allowed.includes(role);
        expect(result!.ok, `${role} ${a.name}`).toBe(allowed);
        if (!allowed) {
          expect(result!.status).toBe(403);
          expect(await auditCount({ action: a.audit, outcome: "denied", actorLabel: me.email })).toBe(before + 1);
        }
      }
      await ctx.dispose();
    });

    test("pages", async ({ baseURL }) => {
      const me = await makeUser(role);
      const ctx = await pwRequest.newContext({ baseURL });
      await signInApi(ctx, me);
      for (const p of PAGES) {
        const res = await ctx.get(p.path, { maxRedirects: 0 });
        expect(res.status(), `${role} GET ${p.path}`).toBe(p.allowed.includes(role) ? 200 : 403);
      }
      await ctx.dispose();
    });
  });
}

test("anonymous callers get 401 from the API and a redirect from pages", async ({ request }) => {
  for (const [method, url] of [
    ["GET", "/api/v1/users"],
    ["POST", "/api/v1/users"],
    ["GET", "/api/v1/audit/verify"],
    ["POST", "/api/v1/tokens"],
    ["GET", "/api/v1/me"],
  ] as const) {
    const res = await request.fetch(url, { method, data: method === "POST" ? {} : undefined });
    expect(res.status(), `${method} ${url}`).toBe(401);
  }
  const page = await request.get("/admin/users", { maxRedirects: 0 });
  expect(page.status()).toBe(307);
  expect(page.headers().location).toContain("/login");
  const bad = await request.get("/api/v1/me", { headers: { Authorization: "Bearer wdn_not-a-real-token-at-all-000000000000" } });
  expect(bad.status()).toBe(401);
});

test("expired and revoked tokens stop working", async ({ baseURL }) => {
  const me = await makeUser("admin");
  const expired = await makeToken(me, { expiresInMs: -1000 });
  const { token: live, id: liveId } = await makeTokenRow(me);
  const a = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${expired}` } });
  expect((await a.get("/api/v1/me")).status()).toBe(401);
  const b = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${live}` } });
  expect((await b.get("/api/v1/me")).status()).toBe(200);
  await sql().query("update api_tokens set revoked_at = now() where id = $1", [liveId]);
  expect((await b.get("/api/v1/me")).status()).toBe(401);
  await a.dispose();
  await b.dispose();
});
