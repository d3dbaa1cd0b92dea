import { HOSTILE_CELLS, csvColumn, expectSafeCsv, neutralised } from "@/test/csv";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { createDataFlowAction, decideDataFlowAction, updateDataFlowAction } from "./actions";
import { decideDataFlow } from "./service";
import { buildEgressPolicy, exportDataFlowsCsv, listDataFlows, parseDataFlowQuery, renderEgressPolicy, type EgressPolicy } from "./queries";

async function makeAgent() {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "Test owner", purpose: "Testing data flows" } });
}

const flow = (agentId: string, over: Record<string, unknown> = {}) => ({
  agentId,
  service: "Anthropic",
  host: `api-${rid()}.anthropic.example`,
  isLlmProvider: true,
  dataSent: "Customer chat transcripts",
  dataReceived: "Suggested replies",
  classification: "restricted",
  ...over,
});

async function created(over: Record<string, unknown> = {}) {
  const { actor, user } = await makeUser("security_lead");
  const agent = await makeAgent();
  const res = await execute(actor, createDataFlowAction, flow(agent.id, over));
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return { actor, user, agent, flow: res.data };
}

describe("data flows: create and update", () => {
  it("records a flow as proposed with an audit event; the host is normalised to lower case", async () => {
    const { actor } = await makeUser("admin");
    const agent = await makeAgent();
    const res = await execute(actor, createDataFlowAction, flow(agent.id, { host: " API.OpenAI.com ", status: "approved", approverId: actor.userId }));
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const stored = await db.dataFlow.findUniqueOrThrow({ where: { id: res.data.id } });
    // Status and approver cannot be set on create: a flow is approved only by a decision.
    expect(stored).toMatchObject({ host: "api.openai.com", status: "proposed", approverId: null, decidedAt: null, classification: "restricted", isLlmProvider: true });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "data_flow.create", targetId: stored.id } });
    expect(audit).toMatchObject({ outcome: "success", actorLabel: actor.label, targetType: "data_flow" });
    expect(audit.after).toMatchObject({ agent: agent.name, host: "api.openai.com", status: "proposed" });
  });

  it.each([
    ["missing fields", {}, ["agentId", "service", "host", "dataSent", "dataReceived", "classification"]],
    ["a URL instead of a host", { host: "https://api.openai.com/v1" }, ["host"]],
    ["a host with a port", { host: "api.openai.com:443" }, ["host"]],
    ["an unknown classification and bad types", { classification: "secret", isLlmProvider: "yes", dataSent: 5 }, ["classification", "isLlmProvider", "dataSent"]],
  ])("rejects %s with 400 field errors and writes nothing", async (_label, over, fields) => {
    const { actor } = await makeUser("admin");
    const agent = await makeAgent();
    const input = _label === "missing fields" ? {} : flow(agent.id, over);
    const [rows, events] = await Promise.all([db.dataFlow.count(), db.auditEvent.count()]);
    const res = await execute(actor, createDataFlowAction, input);
    expect(res).toMatchObject({ ok: false, status: 400 });
    if (res.ok) return;
    expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual([...fields].sort());
    expect(await db.dataFlow.count()).toBe(rows);
    expect(await db.auditEvent.count()).toBe(events);
  });

  it("refuses a second flow to the same host for the same agent (409) and an unknown agent (400)", async () => {
    const { actor, agent, flow: f } = await created();
    expect(await execute(actor, createDataFlowAction, flow(agent.id, { host: f.host }))).toMatchObject({ ok: false, status: 409, fieldErrors: { host: ["Already recorded for this agent."] } });
    expect(await execute(actor, createDataFlowAction, flow("00000000-0000-4000-8000-000000000000"))).toMatchObject({ ok: false, status: 400, fieldErrors: { agentId: ["Unknown agent."] } });
  });

  it("editing an approved flow's content sends it back to proposed; a no-op edit keeps the approval", async () => {
    const { actor, flow: f } = await created();
    expect((await execute(actor, decideDataFlowAction, { id: f.id, status: "approved" })).ok).toBe(true);
    // Same values: still approved.
    expect((await execute(actor, updateDataFlowAction, { id: f.id, classification: "restricted", service: "Anthropic" })).ok).toBe(true);
    expect((await db.dataFlow.findUniqueOrThrow({ where: { id: f.id } })).status).toBe("approved");

    const res = await execute(actor, updateDataFlowAction, { id: f.id, dataSent: "Transcripts plus order history" });
    expect(res.ok).toBe(true);
    const stored = await db.dataFlow.findUniqueOrThrow({ where: { id: f.id } });
    expect(stored).toMatchObject({ dataSent: "Transcripts plus order history", status: "proposed", approverId: null, decidedAt: null });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "data_flow.update", targetId: f.id }, orderBy: { id: "desc" } });
    expect(audit.before).toMatchObject({ dataSent: "Customer chat transcripts", status: "approved", approver: actor.label });
    expect(audit.after).toMatchObject({ dataSent: "Transcripts plus order history", status: "proposed", approver: null, decidedAt: null });
  });

  it("an empty PATCH is refused and a missing flow is 404", async () => {
    const { actor, flow: f } = await created();
    expect(await execute(actor, updateDataFlowAction, { id: f.id })).toMatchObject({ ok: false, status: 400 });
    expect(await execute(actor, updateDataFlowAction, { id: "00000000-0000-4000-8000-000000000000", service: "x" })).toMatchObject({ ok: false, status: 404 });
  });
});

describe("data flows: decisions", () => {
  it("approve and reject record the approver and the date, with an audit event", async () => {
    const { actor, user, flow: f } = await created();
    const now = new Date("2030-02-03T04:05:06.789Z");
    const approved = await decideDataFlow(actor, { id: f.id, status: "approved", reason: "DPA signed" }, now);
    expect(approved).toMatchObject({ status: "approved", approverId: user.id, approver: { email: user.email } });
    expect(approved.decidedAt?.toISOString()).toBe(now.toISOString());
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "data_flow.decide", targetId: f.id } });
    expect(audit.before).toMatchObject({ status: "proposed", approver: null });
    expect(audit.after).toMatchObject({ status: "approved", approver: user.email, reason: "DPA signed", decidedAt: now.toISOString() });

    const res = await execute(actor, decideDataFlowAction, { id: f.id, status: "rejected", reason: "Vendor lost its certification" });
    expect(res).toMatchObject({ ok: true, data: { status: "rejected", approverId: user.id } });
    // Deciding the same way twice is a conflict, not a silent re-stamp.
    expect(await execute(actor, decideDataFlowAction, { id: f.id, status: "rejected" })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(actor, decideDataFlowAction, { id: f.id, status: "proposed" })).toMatchObject({ ok: false, status: 400, fieldErrors: { status: ["approved or rejected."] } });
  });

  it.each(["operator", "auditor", "manager"] as const)("denies %s decisions and edits (403) and audits each denial", async (role) => {
    const { flow: f, agent } = await created();
    const { actor } = await makeUser(role);
    for (const [def, input, scope] of [
      [decideDataFlowAction, { id: f.id, status: "approved" }, "data_flows:decide"],
      [createDataFlowAction, flow(agent.id), "registry:write"],
      [updateDataFlowAction, { id: f.id, service: "changed" }, "registry:write"],
    ] as const) {
      const res = await execute(actor, def as typeof decideDataFlowAction, input);
      expect(res, `${role} ${def.name}`).toMatchObject({ ok: false, status: 403 });
      expect(await db.auditEvent.findFirst({ where: { action: def.name, outcome: "denied", actorLabel: actor.label, targetId: scope } }), `${role} ${def.name}`).not.toBeNull();
    }
    expect(await db.dataFlow.findUniqueOrThrow({ where: { id: f.id } })).toMatchObject({ status: "proposed", service: "Anthropic", approverId: null });
  });
});

describe("data flows: egress policy, list and CSV", () => {
  it("exports only approved hosts, fleet-wide and per agent, as YAML that parses back and as JSON", async () => {
    const { actor } = await makeUser("security_lead");
    const [a, b] = [await makeAgent(), await makeAgent()];
    const host = (n: string) => `${n}-${rid()}.example.com`;
    const approvedA = host("approved-a");
    const approvedB = host("approved-b");
    const proposed = host("proposed");
    const rejected = host("rejected");
    const mk = async (agentId: string, h: string, status?: "approved" | "rejected") => {
      const res = await execute(actor, createDataFlowAction, flow(agentId, { host: h }));
      if (!res.ok) throw new Error(res.error);
      if (status) expect((await execute(actor, decideDataFlowAction, { id: res.data.id, status })).ok).toBe(true);
    };
    await mk(a.id, approvedA, "approved");
    await mk(a.id, proposed);
    await mk(b.id, approvedB, "approved");
    await mk(b.id, rejected, "rejected");
    await mk(b.id, approvedA, "approved"); // shared host appears once fleet-wide

    const policy = await buildEgressPolicy();
    const yaml = renderEgressPolicy(policy, "yaml", new Date("2030-01-01T00:00:00Z"));
    expect(yaml.contentType).toContain("yaml");
    expect(yaml.body).toContain("# nemoclaw-blueprint/policies/network.yaml");
    const parsed = YAML.parse(yaml.body) as EgressPolicy;
    expect(parsed).toEqual(policy);
    expect(parsed.allowed_domains).toEqual(expect.arrayContaining([approvedA, approvedB]));
    expect(parsed.allowed_domains.filter((d) => d === approvedA)).toHaveLength(1);
    expect(parsed.agents[a.name]).toEqual({ allowed_domains: [approvedA] });
    expect(parsed.agents[b.name].allowed_domains.sort()).toEqual([approvedA, approvedB].sort());
    for (const h of [proposed, rejected]) expect(yaml.body).not.toContain(h);

    const json = JSON.parse(renderEgressPolicy(policy, "json", new Date("2030-01-01T00:00:00Z")).body);
    expect(json).toEqual({ generated_at: "2030-01-01T00:00:00.000Z", ...policy });

    // One agent only.
    expect(await buildEgressPolicy({ agent: a.name })).toEqual({ allowed_domains: [approvedA], agents: { [a.name]: { allowed_domains: [approvedA] } } });

    // Editing an approved flow takes its host out of the allowlist until it is approved again.
    const flowA = await db.dataFlow.findFirstOrThrow({ where: { agentId: a.id, host: approvedA } });
    expect((await execute(actor, updateDataFlowAction, { id: flowA.id, classification: "public" })).ok).toBe(true);
    expect((await buildEgressPolicy({ agent: a.name })).allowed_domains).toEqual([]);
  });

  it("every hostile text cell round-trips quoted and neutralised", async () => {
    const { actor, agent } = await created({ service: "first" });
    for (const cell of HOSTILE_CELLS) {
      const r = await execute(actor, createDataFlowAction, flow(agent.id, { service: cell.trim() ? cell.slice(0, 80) : "x", dataSent: cell }));
      expect(r.ok, cell).toBe(true);
    }
    const { csv } = await exportDataFlowsCsv(parseDataFlowQuery({ agent: agent.name, pageSize: "200" }).query);
    const parsed = expectSafeCsv(csv);
    // What was stored (the schema trims) is what must come back, neutralised.
    const stored = await db.dataFlow.findMany({ where: { agentId: agent.id }, select: { dataSent: true, service: true } });
    expect(csvColumn(parsed, "data_sent").sort()).toEqual(stored.map((r) => neutralised(r.dataSent)).sort());
    expect(csvColumn(parsed, "service").sort()).toEqual(stored.map((r) => neutralised(r.service)).sort());
    expect(csvColumn(parsed, "data_sent")).toContain("x;=1+1");
  });

  it("lists with filters and allowlisted sort, and exports the view as neutralised CSV", async () => {
    const { actor, agent, flow: f } = await created({ service: '=HYPERLINK("http://x")' });
    await execute(actor, createDataFlowAction, flow(agent.id, { service: "Plain", classification: "public", isLlmProvider: false }));
    await execute(actor, decideDataFlowAction, { id: f.id, status: "approved" });
    const all = await listDataFlows(parseDataFlowQuery({ agent: agent.name, sort: "service", dir: "asc" }).query);
    expect(all.total).toBe(2);
    expect(all.rows.map((r) => r.service)).toEqual(['=HYPERLINK("http://x")', "Plain"]);
    const approved = await listDataFlows(parseDataFlowQuery({ agent: agent.name, status: "approved" }).query);
    expect(approved.rows.map((r) => r.id)).toEqual([f.id]);
    expect(approved.rows[0].approver?.email).toBe(actor.label);
    const llm = await listDataFlows(parseDataFlowQuery({ q: agent.name, llm: "no" }).query);
    expect(llm.rows.map((r) => r.service)).toEqual(["Plain"]);

    const { csv, rows } = await exportDataFlowsCsv(parseDataFlowQuery({ agent: agent.name, sort: "service" }).query);
    expect(rows).toBe(2);
    const parsed = expectSafeCsv(csv);
    expect(parsed[0].map((c) => c.value)).toEqual(["agent", "service", "host", "is_llm_provider", "data_sent", "data_received", "classification", "status", "approver", "decided_at"]);
    expect(csvColumn(parsed, "service")).toEqual([`'=HYPERLINK("http://x")`, "Plain"]);
  });
});
