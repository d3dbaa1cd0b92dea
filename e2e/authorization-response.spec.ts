/**
 * Role × action matrix for incident response: kill switches, incidents, playbooks and drills,
 * budgets and webhooks. Allowed roles succeed; the others get 403 and leave a denial row.
 * Expectations are written out here, independent of lib/auth/roles.ts.
 */
import { randomUUID } from "node:crypto";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { ROLES, auditCount, expect, makeToken, makeUser, rid, sql, test, type Role } from "./fixtures";

const CONTAINERS: Role[] = ["admin", "operator"];
const RESPONDERS: Role[] = ["admin", "security_lead", "operator"];
const LEADS: Role[] = ["admin", "security_lead"];
const EVERYONE: Role[] = [...ROLES];
const EXPORTERS: Role[] = ["admin", "auditor"];

type Prep = Record<string, string>;
type Case = {
  name: string;
  audit: string;
  allowed: Role[];
  ok: number;
  prepare?: (admin: APIRequestContext) => Promise<Prep>;
  call: (api: APIRequestContext, p: Prep) => Promise<{ status(): number }>;
};

async function agent() {
  const id = randomUUID();
  const name = `rm-${rid()}`;
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, updated_at) values ($1,$2,'t','t','{}','{}','{}',now())", [id, name]);
  return { id, name };
}
async function playbook(admin: APIRequestContext) {
  const res = await admin.post("/api/v1/playbooks", { data: { name: `pb-${rid()}`, trigger: "manual", steps: [{ phase: "containment", title: "Suspend it" }] } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).data.id as string;
}

const CASES: Case[] = [
  {
    name: "POST /api/v1/containment",
    audit: "containment.apply",
    allowed: CONTAINERS,
    ok: 201,
    prepare: async () => ({ target: (await agent()).name }),
    call: (api, p) => api.post("/api/v1/containment", { data: { scope: "agent", target: p.target, action: "suspend_agent", reason: "matrix containment" } }),
  },
  {
    name: "POST /api/v1/containment/{id}/release",
    audit: "containment.release",
    allowed: CONTAINERS,
    ok: 200,
    prepare: async (admin) => ({
      id: (await (await admin.post("/api/v1/containment", { data: { scope: "agent", target: (await agent()).id, action: "suspend_agent", reason: "to be released" } })).json()).data.id,
    }),
    call: (api, p) => api.post(`/api/v1/containment/${p.id}/release`, { data: { reason: "matrix release" } }),
  },
  {
    name: "GET /api/v1/containment/blast-radius",
    audit: "containment.preview",
    allowed: CONTAINERS,
    ok: 200,
    prepare: async () => ({ target: (await agent()).name }),
    call: (api, p) => api.get(`/api/v1/containment/blast-radius?scope=agent&target=${p.target}`),
  },
  {
    name: "POST /api/v1/incidents",
    audit: "incident.open",
    allowed: RESPONDERS,
    ok: 201,
    call: (api) => api.post("/api/v1/incidents", { data: { title: `matrix incident ${rid()}`, severity: "low" } }),
  },
  {
    name: "POST /api/v1/incidents/{id}/notes",
    audit: "incident.note",
    allowed: RESPONDERS,
    ok: 201,
    prepare: async (admin) => ({ id: (await (await admin.post("/api/v1/incidents", { data: { title: `noted ${rid()}`, severity: "low" } })).json()).data.id }),
    call: (api, p) => api.post(`/api/v1/incidents/${p.id}/notes`, { data: { text: "matrix note" } }),
  },
  { name: "POST /api/v1/playbooks", audit: "playbook.create", allowed: LEADS, ok: 201, call: (api) => api.post("/api/v1/playbooks", { data: { name: `pbm-${rid()}`, trigger: "manual" } }) },
  {
    name: "POST /api/v1/playbooks/{id}/drill",
    audit: "playbook.drill",
    allowed: RESPONDERS,
    ok: 201,
    prepare: async (admin) => ({ id: await playbook(admin) }),
    call: (api, p) => api.post(`/api/v1/playbooks/${p.id}/drill`, { data: {} }),
  },
  {
    name: "POST /api/v1/playbooks/{id}/run",
    audit: "playbook.fire",
    allowed: CONTAINERS,
    ok: 201,
    prepare: async (admin) => ({ id: await playbook(admin) }),
    call: (api, p) => api.post(`/api/v1/playbooks/${p.id}/run`, { data: { reason: "matrix run by hand" } }),
  },
  {
    name: "PUT /api/v1/budgets",
    audit: "budget.set",
    allowed: LEADS,
    ok: 200,
    prepare: async () => ({ id: (await agent()).id }),
    call: (api, p) => api.put("/api/v1/budgets", { data: { agentId: p.id, dailyUsd: 12.5, onLimit: "notify", enabled: true } }),
  },
  {
    name: "POST /api/v1/webhooks",
    audit: "webhook.create",
    allowed: LEADS,
    ok: 201,
    call: (api) => api.post("/api/v1/webhooks", { data: { name: `wh-${rid()}`, url: "http://127.0.0.1:9/hook", events: ["containment.escalated"] } }),
  },
  { name: "GET /api/v1/webhooks", audit: "read:webhooks", allowed: LEADS, ok: 200, call: (api) => api.get("/api/v1/webhooks") },
  { name: "GET /api/v1/spend", audit: "read:spend", allowed: EVERYONE, ok: 200, call: (api) => api.get("/api/v1/spend") },
  { name: "GET /api/v1/overview", audit: "read:overview", allowed: EVERYONE, ok: 200, call: (api) => api.get("/api/v1/overview") },
  { name: "GET /api/v1/posture", audit: "read:posture", allowed: EVERYONE, ok: 200, call: (api) => api.get("/api/v1/posture") },
  // A one-minute window an hour ago: the export is tiny and finishes at once (at most two run at a time).
  {
    name: "POST /api/v1/evidence/exports",
    audit: "evidence.export",
    allowed: EXPORTERS,
    ok: 202,
    call: (api) => api.post("/api/v1/evidence/exports", { data: { from: new Date(Date.now() - 3_660_000).toISOString(), to: new Date(Date.now() - 3_600_000).toISOString() } }),
  },
  { name: "GET /api/v1/evidence/exports", audit: "read:evidence.exports", allowed: EXPORTERS, ok: 200, call: (api) => api.get("/api/v1/evidence/exports") },
];

for (const role of ROLES) {
  test(`incident-response calls as ${role}`, async ({ baseURL }) => {
    test.setTimeout(90_000);
    const admin = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(await makeUser("admin"))}` } });
    const me = await makeUser(role);
    const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(me)}` } });
    const label = `${me.email} (token)`;
    for (const c of CASES) {
      const prep = c.prepare ? await c.prepare(admin) : {};
      const before = await auditCount({ action: c.audit, outcome: "denied", actorLabel: label });
      const res = await c.call(api, prep);
      const allowed = c.allowed.includes(role);
      expect(res.status(), `${role} ${c.name}`).toBe(allowed ? c.ok : 403);
      expect(await auditCount({ action: c.audit, outcome: "denied", actorLabel: label }), `denial audited: ${role} ${c.name}`).toBe(before + (allowed ? 0 : 1));
    }
    await Promise.all([admin.dispose(), api.dispose()]);
  });
}
