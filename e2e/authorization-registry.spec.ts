/**
 * Role × action matrix for the registry and allowlist mutations (issue: registry and trust
 * decisions). Each case prepares its own target through the API as an admin, then calls the
 * endpoint with a token of every role: allowed roles succeed, the others get 403 and a denial row.
 */
import { createHash, randomUUID } from "node:crypto";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { ROLES, auditCount, expect, makeToken, makeUser, rid, sql, test, type Role } from "./fixtures";

const WRITERS: Role[] = ["admin", "security_lead"];
const DECIDERS: Role[] = ["admin", "security_lead"];
const REQUESTERS: Role[] = ["admin", "security_lead", "operator"];
const OPERATORS: Role[] = ["admin", "operator"];
const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "clean", permissionsNarrowed: true, credEgressFlagged: true };

type Prep = Record<string, string>;
type Case = {
  name: string;
  audit: string;
  allowed: Role[];
  ok: number;
  prepare?: (admin: APIRequestContext, operator: APIRequestContext) => Promise<Prep>;
  call: (api: APIRequestContext, p: Prep) => Promise<{ status(): number }>;
};

async function agentId() {
  const id = randomUUID();
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, updated_at) values ($1,$2,'t','t','{}','{}','{}',now())", [id, `m-${rid()}`]);
  return id;
}
async function toolId() {
  const id = randomUUID();
  await sql().query("insert into tools (id, name, kind, source, publisher, updated_at) values ($1,$2,'tool','internal','us',now())", [id, `mt-${rid()}`]);
  return id;
}
async function fileRequest(api: APIRequestContext) {
  const res = await api.post("/api/v1/tool-requests", {
    data: {
      tool: { name: `mx-${rid()}`, kind: "tool", source: "npm", publisher: "p" },
      version: "1.0.0",
      contentHash: createHash("sha256").update(rid()).digest("hex"),
      permissions: {},
      justification: "matrix test request",
    },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).data.id as string;
}

async function integrationId(admin: APIRequestContext) {
  const res = await admin.post("/api/v1/integrations", { data: { name: `int-${rid()}`, provider: "Vendor", reason: "matrix integration", permissions: ["write:messages"] } });
  expect(res.status()).toBe(201);
  return (await res.json()).data.id as string;
}
async function flowId(admin: APIRequestContext) {
  const res = await admin.post("/api/v1/data-flows", {
    data: { agentId: await agentId(), service: "Vendor API", host: `api-${rid()}.example.com`, dataSent: "order ids", dataReceived: "status", classification: "internal" },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).data.id as string;
}
/** Two agents on one gateway (an agent → agent pair), optionally already approved. */
async function pair(admin: APIRequestContext, approved: boolean) {
  const gw = randomUUID();
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'openclaw','test',now())", [gw, `gwp-${rid()}`]);
  const ids = [randomUUID(), randomUUID()];
  for (const id of ids)
    await sql().query(
      "insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, external_id, updated_at) values ($1,$2,'t','t','{}','{}','{}',$3,$4,now())",
      [id, `p-${rid()}`, gw, `x-${rid()}`],
    );
  if (approved) expect((await admin.post("/api/v1/agent-links", { data: { fromAgentId: ids[0], toAgentId: ids[1], reason: "matrix pair approved" } })).status()).toBe(200);
  return { from: ids[0], to: ids[1] };
}
const AGENTS_MD = (name: string) =>
  [
    "# Agent",
    "",
    "```yaml",
    "integrations:",
    `  - name: "${name}"`,
    '    provider: "Vendor"',
    '    reason: "matrix import"',
    '    permissions: ["write:messages"]',
    '    audit_date: "2026-05-17"',
    '    audit_result: "3 dependencies, all current"',
    "```",
    "",
  ].join("\n");

const CASES: Case[] = [
  {
    name: "POST /api/v1/tool-requests",
    audit: "tool_request.create",
    allowed: REQUESTERS,
    ok: 201,
    call: (api) =>
      api.post("/api/v1/tool-requests", {
        data: {
          tool: { name: `rq-${rid()}`, kind: "skill", source: "clawhub", publisher: "p" },
          version: "1.0.0",
          contentHash: "b".repeat(64),
          permissions: {},
          justification: "matrix request filed",
        },
      }),
  },
  {
    name: "POST /api/v1/tool-requests/{id}/decision",
    audit: "tool_request.decide",
    allowed: DECIDERS,
    ok: 201,
    prepare: async (_a, op) => ({ id: await fileRequest(op) }),
    call: (api, p) => api.post(`/api/v1/tool-requests/${p.id}/decision`, { data: { outcome: "approve", checklist: CHECKS, reason: "matrix approval reason" } }),
  },
  {
    name: "POST /api/v1/trust-decisions/{id}/revoke",
    audit: "trust_decision.revoke",
    allowed: DECIDERS,
    ok: 200,
    prepare: async (admin, op) => {
      const rq = await fileRequest(op);
      const d = await admin.post(`/api/v1/tool-requests/${rq}/decision`, { data: { outcome: "approve", checklist: CHECKS, reason: "approved for the matrix" } });
      return { id: (await d.json()).data.id };
    },
    call: (api, p) => api.post(`/api/v1/trust-decisions/${p.id}/revoke`, { data: { reason: "matrix revoke reason" } }),
  },
  { name: "POST /api/v1/agents", audit: "agent.create", allowed: WRITERS, ok: 201, call: (api) => api.post("/api/v1/agents", { data: { name: `new-${rid()}`, owner: "o", purpose: "p" } }) },
  {
    name: "PATCH /api/v1/agents/{id}",
    audit: "agent.update",
    allowed: WRITERS,
    ok: 200,
    prepare: async () => ({ id: await agentId() }),
    call: (api, p) => api.patch(`/api/v1/agents/${p.id}`, { data: { purpose: "changed" } }),
  },
  {
    name: "PUT /api/v1/agents/{id}/bundles",
    audit: "agent.set_bundles",
    allowed: WRITERS,
    ok: 200,
    prepare: async () => ({ id: await agentId() }),
    call: (api, p) => api.put(`/api/v1/agents/${p.id}/bundles`, { data: { bundleIds: [] } }),
  },
  {
    name: "POST /api/v1/agents/{id}/grants",
    audit: "grant.create",
    allowed: DECIDERS,
    ok: 201,
    prepare: async () => ({ id: await agentId(), tool: await toolId() }),
    call: (api, p) => api.post(`/api/v1/agents/${p.id}/grants`, { data: { toolId: p.tool, kind: "grant", reason: "matrix grant reason" } }),
  },
  {
    name: "POST /api/v1/grants/{id}/revoke",
    audit: "grant.revoke",
    allowed: DECIDERS,
    ok: 200,
    prepare: async (admin) => {
      const g = await admin.post(`/api/v1/agents/${await agentId()}/grants`, { data: { toolId: await toolId(), kind: "grant", reason: "to be revoked later" } });
      return { id: (await g.json()).data.id };
    },
    call: (api, p) => api.post(`/api/v1/grants/${p.id}/revoke`, { data: { reason: "matrix revoke" } }),
  },
  { name: "POST /api/v1/bundles", audit: "bundle.create", allowed: WRITERS, ok: 201, call: (api) => api.post("/api/v1/bundles", { data: { name: `b-${rid()}` } }) },
  {
    name: "PUT /api/v1/bundles/{id}/tools",
    audit: "bundle.set_tools",
    allowed: WRITERS,
    ok: 200,
    prepare: async (admin) => ({ id: (await (await admin.post("/api/v1/bundles", { data: { name: `bt-${rid()}` } })).json()).data.id }),
    call: (api, p) => api.put(`/api/v1/bundles/${p.id}/tools`, { data: { toolIds: [] } }),
  },
  // Integrations and data flows
  {
    name: "POST /api/v1/integrations",
    audit: "integration.create",
    allowed: WRITERS,
    ok: 201,
    call: (api) => api.post("/api/v1/integrations", { data: { name: `i-${rid()}`, provider: "V", reason: "matrix create", permissions: [] } }),
  },
  {
    name: "PATCH /api/v1/integrations/{id}",
    audit: "integration.update",
    allowed: WRITERS,
    ok: 200,
    prepare: async (a) => ({ id: await integrationId(a) }),
    call: (api, p) => api.patch(`/api/v1/integrations/${p.id}`, { data: { reason: "matrix update reason" } }),
  },
  {
    name: "POST /api/v1/integrations/{id}/review",
    audit: "integration.review",
    allowed: WRITERS,
    ok: 200,
    prepare: async (a) => ({ id: await integrationId(a) }),
    call: (api, p) => api.post(`/api/v1/integrations/${p.id}/review`, { data: { auditResult: "2 dependencies, all current" } }),
  },
  {
    name: "POST /api/v1/integrations/{id}/advisory",
    audit: "integration.advisory_set",
    allowed: WRITERS,
    ok: 200,
    prepare: async (a) => ({ id: await integrationId(a) }),
    call: (api, p) => api.post(`/api/v1/integrations/${p.id}/advisory`, { data: { flagged: true, note: "Vendor disclosed a token leak" } }),
  },
  {
    name: "PUT /api/v1/integrations/{id}/agents",
    audit: "integration.set_agents",
    allowed: WRITERS,
    ok: 200,
    prepare: async (a) => ({ id: await integrationId(a), agent: await agentId() }),
    call: (api, p) => api.put(`/api/v1/integrations/${p.id}/agents`, { data: { agentIds: [p.agent] } }),
  },
  {
    name: "POST /api/v1/data-flows",
    audit: "data_flow.create",
    allowed: WRITERS,
    ok: 201,
    prepare: async () => ({ agent: await agentId() }),
    call: (api, p) => api.post("/api/v1/data-flows", { data: { agentId: p.agent, service: "S", host: `h-${rid()}.example.com`, dataSent: "x", dataReceived: "y", classification: "public" } }),
  },
  {
    name: "PATCH /api/v1/data-flows/{id}",
    audit: "data_flow.update",
    allowed: WRITERS,
    ok: 200,
    prepare: async (a) => ({ id: await flowId(a) }),
    call: (api, p) => api.patch(`/api/v1/data-flows/${p.id}`, { data: { dataSent: "order ids and emails" } }),
  },
  {
    name: "POST /api/v1/data-flows/{id}/decision",
    audit: "data_flow.decide",
    allowed: DECIDERS,
    ok: 200,
    prepare: async (a) => ({ id: await flowId(a) }),
    call: (api, p) => api.post(`/api/v1/data-flows/${p.id}/decision`, { data: { status: "approved" } }),
  },
  // Gateways
  {
    name: "POST /api/v1/gateways",
    audit: "gateway.register",
    allowed: OPERATORS,
    ok: 201,
    call: (api) => api.post("/api/v1/gateways", { data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } }),
  },
  {
    name: "POST /api/v1/gateways/{id}/rotate-secret",
    audit: "gateway.rotate_secret",
    allowed: OPERATORS,
    ok: 200,
    prepare: async (admin) => ({ id: (await (await admin.post("/api/v1/gateways", { data: { name: `gwr-${rid()}`, kind: "generic", environment: "test" } })).json()).data.gateway.id }),
    call: (api, p) => api.post(`/api/v1/gateways/${p.id}/rotate-secret`, { data: {} }),
  },
  {
    name: "POST /api/v1/gateways/{id}/policy-expiry",
    audit: "gateway.policy_expiry",
    allowed: DECIDERS,
    ok: 200,
    prepare: async (admin) => ({ id: (await (await admin.post("/api/v1/gateways", { data: { name: `gwe-${rid()}`, kind: "generic", environment: "test" } })).json()).data.gateway.id }),
    call: (api, p) => api.post(`/api/v1/gateways/${p.id}/policy-expiry`, { data: { ttlHours: 12, onExpiry: "keep_last" } }),
  },
  // Findings
  { name: "POST /api/v1/findings/compute", audit: "findings.compute", allowed: OPERATORS, ok: 200, call: (api) => api.post("/api/v1/findings/compute", { data: { sinceHours: 1 } }) },
  {
    name: "POST /api/v1/findings/{id}/dismiss",
    audit: "finding.dismiss",
    allowed: DECIDERS,
    ok: 200,
    prepare: async () => {
      const id = randomUUID();
      await sql().query("insert into findings (id, kind, severity, title) values ($1, 'spike', 'medium', $2)", [id, `matrix finding ${rid()}`]);
      return { id };
    },
    call: (api, p) => api.post(`/api/v1/findings/${p.id}/dismiss`, { data: { reason: "expected during the test" } }),
  },
  // Agent → agent pairs
  {
    name: "POST /api/v1/agent-links",
    audit: "agent_link.approve",
    allowed: DECIDERS,
    ok: 200,
    prepare: (a) => pair(a, false),
    call: (api, p) => api.post("/api/v1/agent-links", { data: { fromAgentId: p.from, toAgentId: p.to, reason: "matrix pair approval" } }),
  },
  {
    name: "DELETE /api/v1/agent-links",
    audit: "agent_link.revoke",
    allowed: DECIDERS,
    ok: 200,
    prepare: (a) => pair(a, true),
    call: (api, p) => api.delete("/api/v1/agent-links", { data: { fromAgentId: p.from, toAgentId: p.to, reason: "matrix pair revoked" } }),
  },
  // AGENTS.md
  {
    name: "POST /api/v1/agents-md/import",
    audit: "agents_md.import",
    allowed: WRITERS,
    ok: 200,
    prepare: async () => ({ agent: await agentId() }),
    call: (api, p) => api.post("/api/v1/agents-md/import", { data: { content: AGENTS_MD(`md-${rid()}`), agentId: p.agent, dryRun: false } }),
  },
];

for (const role of ROLES) {
  test(`registry mutations as ${role}`, async ({ baseURL }) => {
    test.setTimeout(90_000);
    const admin = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("admin"))}` } });
    const operator = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("operator"))}` } });
    const me = await makeUser(role);
    const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(me)}` } });
    const label = `${me.email} (token)`;
    for (const c of CASES) {
      const prep = c.prepare ? await c.prepare(admin, operator) : {};
      const before = await auditCount({ action: c.audit, outcome: "denied", actorLabel: label });
      const res = await c.call(api, prep);
      const allowed = c.allowed.includes(role);
      expect(res.status(), `${role} ${c.name}`).toBe(allowed ? c.ok : 403);
      expect(await auditCount({ action: c.audit, outcome: "denied", actorLabel: label }), `denial audited: ${role} ${c.name}`).toBe(before + (allowed ? 0 : 1));
    }
    for (const ctx of [admin, operator, api]) await ctx.dispose();
  });
}

test("registry reads: every role may read the registry; anonymous may not", async ({ baseURL, request }) => {
  for (const role of ROLES) {
    const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser(role))}` } });
    for (const url of ["/api/v1/tools", "/api/v1/agents", "/api/v1/tool-requests", "/api/v1/bundles", "/api/v1/integrations", "/api/v1/data-flows", "/api/v1/data-flows/egress-policy?format=json"])
      expect((await api.get(url)).status(), `${role} ${url}`).toBe(200);
    await api.dispose();
  }
  expect((await request.get("/api/v1/agents")).status()).toBe(401);
});
