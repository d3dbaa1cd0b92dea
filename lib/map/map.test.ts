import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { makeUser, rid } from "@/test/factories";
import { filterGraph, getEcosystemMap, loadEcosystemGraph } from "./queries";
import { layoutGraph, neighbourhood, NODE_HEIGHT, NODE_WIDTH } from "./layout";
import { parseMapFilters, type EcosystemGraph, type MapEdge, type MapNode } from "./schema";

const DAY = 86_400_000;

/** A small fleet with one of every interesting case; every name is random so tests never collide. */
async function makeFleet() {
  const now = new Date();
  const ago = (d: number) => new Date(now.getTime() - d * DAY);
  const { user } = await makeUser("security_lead");
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", lastSeenAt: now, adminTokenEnc: "SECRET-TOKEN-CIPHERTEXT" } });

  const mkTool = async (
    name: string,
    publisherVerified: boolean,
    decisions: { outcome: "approve" | "approve_with_conditions" | "reject"; daysAgo: number; reReviewInDays?: number; revoked?: boolean }[],
    perms: object = {},
  ) => {
    const tool = await db.tool.create({ data: { name: `${name}-${rid()}`, kind: "tool", source: "npm", publisher: "Acme", publisherVerified } });
    for (const [i, d] of decisions.entries()) {
      const v = await db.toolVersion.create({ data: { toolId: tool.id, version: `1.${i}.0`, contentHash: rid(), permissions: perms, createdAt: ago(100 - i) } });
      await db.trustDecision.create({
        data: {
          toolVersionId: v.id,
          deciderId: user.id,
          outcome: d.outcome,
          checklist: {},
          reason: "test",
          decidedAt: ago(d.daysAgo),
          reReviewAt: d.reReviewInDays === undefined ? null : new Date(now.getTime() + d.reReviewInDays * DAY),
          revokedAt: d.revoked ? now : null,
        },
      });
    }
    return tool;
  };
  // Latest decision (on the newer version) wins over an older rejection.
  const approved = await mkTool("approved", true, [
    { outcome: "reject", daysAgo: 50 },
    { outcome: "approve", daysAgo: 5, reReviewInDays: 90 },
  ]);
  const rejected = await mkTool("rejected", true, [{ outcome: "reject", daysAgo: 3 }]);
  const expired = await mkTool("expired-exc", true, [{ outcome: "approve", daysAgo: 3 }]);
  const revokedGrant = await mkTool("revoked-grant", true, [{ outcome: "approve", daysAgo: 3 }]);
  const overdue = await mkTool("overdue", false, [{ outcome: "approve_with_conditions", daysAgo: 400, reReviewInDays: -10 }]);
  const shell = await mkTool("shell", true, [{ outcome: "approve", daysAgo: 3 }], { exec: true, egressHosts: ["*"] });

  const agent = (name: string, data: object = {}) =>
    db.agent.create({ data: { name: `${name}-${rid()}`, owner: "Test Owner", purpose: "test", gatewayId: gw.id, posture: { execMode: "deny" }, ...data } });
  const risky = await agent("risky");
  const careful = await agent("careful");
  const calm = await agent("calm");
  const exposed = await agent("exposed", { scope: "external" });

  const bundle = await db.capabilityBundle.create({
    data: { name: `b-${rid()}`, tools: { create: [{ toolId: approved.id }] }, agents: { create: [risky, careful, calm, exposed].map((a) => ({ agentId: a.id })) } },
  });
  await db.grant.createMany({
    data: [
      { agentId: risky.id, toolId: rejected.id, kind: "grant", reason: "t", grantedById: user.id },
      { agentId: risky.id, toolId: expired.id, kind: "exception", reason: "t", grantedById: user.id, expiresAt: ago(1) },
      { agentId: risky.id, toolId: revokedGrant.id, kind: "grant", reason: "t", grantedById: user.id, revokedAt: ago(1) },
      { agentId: careful.id, toolId: overdue.id, kind: "exception", reason: "t", grantedById: user.id, expiresAt: new Date(now.getTime() + 2 * DAY) },
      { agentId: exposed.id, toolId: shell.id, kind: "grant", reason: "t", grantedById: user.id },
    ],
  });

  const flagged = await db.integration.create({
    data: { name: `crm-${rid()}`, provider: "Northwind", providerVerified: true, reason: "t", permissions: [], advisoryFlaggedAt: ago(1), nextReviewAt: new Date(now.getTime() + 30 * DAY) },
  });
  await db.trustDecision.create({
    data: { integrationId: flagged.id, deciderId: user.id, outcome: "approve", checklist: {}, reason: "t", decidedAt: ago(30), reReviewAt: new Date(now.getTime() + 60 * DAY) },
  });
  await db.agentIntegration.create({ data: { agentId: risky.id, integrationId: flagged.id } });
  // Reviewed by a recorded vendor audit (no trust decision): current one is approved, a lapsed one overdue, none not reviewed.
  const audited = await db.integration.create({
    data: {
      name: `mail-${rid()}`,
      provider: "Mailer",
      providerVerified: true,
      reason: "t",
      permissions: [],
      auditDate: ago(10),
      auditResult: "2 deps, current",
      nextReviewAt: new Date(now.getTime() + 80 * DAY),
    },
  });
  const lapsed = await db.integration.create({
    data: { name: `old-${rid()}`, provider: "Mailer", providerVerified: true, reason: "t", permissions: [], auditDate: ago(200), auditResult: "ok then", nextReviewAt: ago(110) },
  });
  const unknown = await db.integration.create({ data: { name: `new-${rid()}`, provider: "Mailer", providerVerified: true, reason: "t", permissions: [] } });
  await db.agentIntegration.createMany({ data: [audited, lapsed, unknown].map((i) => ({ agentId: risky.id, integrationId: i.id })) });

  const hosts = { restricted: `r-${rid()}.example`, confidential: `c-${rid()}.example`, public: `p-${rid()}.example` };
  await db.dataFlow.createMany({
    data: [
      { agentId: risky.id, service: "Restricted Co", host: hosts.restricted, dataSent: "customer transcripts", dataReceived: "replies", classification: "restricted", status: "proposed" },
      { agentId: careful.id, service: "Confidential Co", host: hosts.confidential, dataSent: "metrics", dataReceived: "reports", classification: "confidential", status: "approved" },
      { agentId: calm.id, service: "Public Co", host: hosts.public, dataSent: "search queries", dataReceived: "results", classification: "public", status: "approved" },
    ],
  });
  // A tool call with parameters: the map must never carry them.
  await db.toolCall.create({
    data: { occurredAt: now, gatewayId: gw.id, eventId: rid(), agentId: risky.id, agentName: risky.name, toolName: approved.name, params: { secret: "PARAM-SECRET-VALUE" }, decision: "allowed" },
  });

  return { now, gw, bundle, tools: { approved, rejected, expired, revokedGrant, overdue, shell }, agents: { risky, careful, calm, exposed }, flagged, audits: { audited, lapsed, unknown }, hosts };
}

const byId = (g: EcosystemGraph) => new Map(g.nodes.map((n) => [n.id, n]));
const edgeOf = (g: EcosystemGraph, source: string, target: string): MapEdge | undefined => g.edges.find((e) => e.source === source && e.target === target);

describe("ecosystem map loader", () => {
  it("builds gateways, agents, allowed tools, integrations and services with states and risks", async () => {
    const f = await makeFleet();
    const graph = await loadEcosystemGraph(f.now);
    const nodes = byId(graph);
    const A = (a: { id: string }) => `agent:${a.id}`;
    const T = (t: { id: string }) => `tool:${t.id}`;

    // gateway → agent
    expect(nodes.get(`gateway:${f.gw.id}`)).toMatchObject({ type: "gateway", label: f.gw.name, status: "connected", href: "/gateways", risk: "high" });
    expect(nodes.get(`gateway:${f.gw.id}`)!.reasons.sort()).toEqual([`runs high-risk agent ${f.agents.exposed.name}`, `runs high-risk agent ${f.agents.risky.name}`].sort());
    for (const a of Object.values(f.agents)) expect(edgeOf(graph, `gateway:${f.gw.id}`, A(a))).toMatchObject({ kind: "runs", state: "active" });

    // bundle tool: latest decision on any version decides
    expect(nodes.get(T(f.tools.approved))).toMatchObject({ type: "tool", status: "approved", risk: "low", reasons: [], href: `/tools/${f.tools.approved.id}` });
    expect(edgeOf(graph, A(f.agents.risky), T(f.tools.approved))).toMatchObject({ kind: "allowed", state: "approved", via: [`bundle ${f.bundle.name}`] });
    // rejected tool reached through a direct grant
    expect(nodes.get(T(f.tools.rejected))).toMatchObject({ status: "rejected", risk: "high", reasons: ["rejected tool in use"] });
    expect(edgeOf(graph, A(f.agents.risky), T(f.tools.rejected))).toMatchObject({ kind: "allowed", state: "rejected", via: ["direct grant"] });
    // an expired exception and a revoked grant give no access, so those tools are not on the map
    expect(nodes.has(T(f.tools.expired))).toBe(false);
    expect(nodes.has(T(f.tools.revokedGrant))).toBe(false);
    expect(graph.edges.some((e) => e.target === T(f.tools.expired) || e.target === T(f.tools.revokedGrant))).toBe(false);
    // overdue re-review + unverified publisher, through an active exception → medium
    expect(nodes.get(T(f.tools.overdue))).toMatchObject({ status: "overdue", risk: "medium" });
    expect(nodes.get(T(f.tools.overdue))!.reasons.sort()).toEqual(["re-review overdue", "unverified publisher"]);
    expect(edgeOf(graph, A(f.agents.careful), T(f.tools.overdue))!.via![0]).toMatch(/^exception until \d{4}-/);

    // agent → integration
    // An open advisory makes the re-review due at once (lib/integrations/queries.ts reviewDueAt): overdue.
    expect(nodes.get(`integration:${f.flagged.id}`)).toMatchObject({
      type: "integration",
      status: "overdue",
      risk: "high",
      reasons: ["vendor advisory flagged"],
      href: `/integrations/${f.flagged.id}`,
    });
    expect(edgeOf(graph, A(f.agents.risky), `integration:${f.flagged.id}`)).toMatchObject({ kind: "uses", state: "overdue" });
    expect(nodes.get(`integration:${f.audits.audited.id}`)).toMatchObject({ status: "approved", risk: "low" });
    expect(nodes.get(`integration:${f.audits.lapsed.id}`)).toMatchObject({ status: "overdue", risk: "medium" });
    expect(nodes.get(`integration:${f.audits.unknown.id}`)).toMatchObject({ status: "not_reviewed", risk: "high" });

    // agent → service, coloured by classification and flow status
    const restricted = nodes.get(`service:${f.hosts.restricted}`)!;
    expect(restricted).toMatchObject({ type: "service", status: "pending", risk: "high", href: `/data-flows?q=${encodeURIComponent(f.hosts.restricted)}` });
    expect(restricted.reasons[0]).toMatch(/restricted data flow not yet approved/);
    expect(edgeOf(graph, A(f.agents.risky), `service:${f.hosts.restricted}`)).toMatchObject({ kind: "sends", state: "pending", classification: "restricted" });
    expect(nodes.get(`service:${f.hosts.confidential}`)).toMatchObject({ status: "approved", risk: "medium" });
    expect(nodes.get(`service:${f.hosts.public}`)).toMatchObject({ status: "approved", risk: "low" });

    // agents roll up what they touch
    const risky = nodes.get(A(f.agents.risky))!;
    expect(risky).toMatchObject({ risk: "high", href: `/agents/${f.agents.risky.id}` });
    expect(risky.reasons).toEqual(
      expect.arrayContaining([
        `tool ${f.tools.rejected.name}: rejected tool in use`,
        `integration ${f.flagged.name}: vendor advisory flagged`,
        `data flow to ${f.hosts.restricted}: restricted data flow not yet approved`,
      ]),
    );
    expect(nodes.get(A(f.agents.careful))).toMatchObject({ risk: "medium" });
    expect(nodes.get(A(f.agents.calm))).toMatchObject({ risk: "low", reasons: [] });
    // external scope + a tool that asks for exec → high, even though every tool is approved
    expect(nodes.get(A(f.agents.exposed))).toMatchObject({ risk: "high", reasons: ["external scope with exec"] });

    // shaped data only
    const json = JSON.stringify(graph);
    expect(json).not.toContain("SECRET-TOKEN-CIPHERTEXT");
    expect(json).not.toContain("PARAM-SECRET-VALUE");
    expect(json).not.toContain("egressHosts");
  });

  it("applies URL filters on the server and lists every agent for the picker", async () => {
    const f = await makeFleet();
    const filters = parseMapFilters({ agent: f.agents.calm.id, sensitivity: "nonsense", status: ["approved", "rejected"] });
    expect(filters).toEqual({ agent: f.agents.calm.id, sensitivity: undefined, status: "approved" });
    const { graph, agents } = await getEcosystemMap(filters, f.now);
    expect(agents).toEqual(
      expect.arrayContaining([
        { id: f.agents.calm.id, name: f.agents.calm.name },
        { id: f.agents.risky.id, name: f.agents.risky.name },
      ]),
    );
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([`agent:${f.agents.calm.id}`, `gateway:${f.gw.id}`, `service:${f.hosts.public}`, `tool:${f.tools.approved.id}`].sort());
  });
});

describe("filterGraph", () => {
  const node = (id: string, type: MapNode["type"]): MapNode => ({ id, type, label: id, status: "x", risk: "low", reasons: [], href: "/", meta: {} });
  const graph: EcosystemGraph = {
    nodes: [
      node("gateway:g", "gateway"),
      node("gateway:idle", "gateway"),
      node("agent:a", "agent"),
      node("agent:b", "agent"),
      node("agent:lonely", "agent"),
      node("tool:ok", "tool"),
      node("tool:bad", "tool"),
      node("integration:i", "integration"),
      node("service:r", "service"),
      node("service:p", "service"),
    ],
    edges: [
      { id: "1", source: "gateway:g", target: "agent:a", kind: "runs", state: "active" },
      { id: "2", source: "gateway:g", target: "agent:b", kind: "runs", state: "active" },
      { id: "3", source: "agent:a", target: "tool:ok", kind: "allowed", state: "approved" },
      { id: "4", source: "agent:a", target: "tool:bad", kind: "allowed", state: "rejected" },
      { id: "5", source: "agent:b", target: "tool:ok", kind: "allowed", state: "approved" },
      { id: "6", source: "agent:a", target: "integration:i", kind: "uses", state: "not_reviewed" },
      { id: "7", source: "agent:a", target: "service:r", kind: "sends", state: "pending", classification: "restricted" },
      { id: "8", source: "agent:b", target: "service:p", kind: "sends", state: "approved", classification: "public" },
    ],
  };
  const ids = (g: EcosystemGraph) => g.nodes.map((n) => n.id).sort();
  const edgeIds = (g: EcosystemGraph) => g.edges.map((e) => e.id).sort();

  it("returns the graph unchanged without filters", () => {
    expect(filterGraph(graph, {})).toEqual(graph);
  });

  it("by agent keeps that agent, its gateway and its neighbours", () => {
    const g = filterGraph(graph, { agent: "b" });
    expect(ids(g)).toEqual(["agent:b", "gateway:g", "service:p", "tool:ok"]);
    expect(edgeIds(g)).toEqual(["2", "5", "8"]);
    // an agent with no links still shows on its own
    expect(ids(filterGraph(graph, { agent: "lonely" }))).toEqual(["agent:lonely"]);
    expect(filterGraph(graph, { agent: "missing" })).toEqual({ nodes: [], edges: [] });
  });

  it("by sensitivity keeps only the data flows of that classification and their agents", () => {
    const g = filterGraph(graph, { sensitivity: "restricted" });
    expect(ids(g)).toEqual(["agent:a", "gateway:g", "service:r"]);
    expect(edgeIds(g)).toEqual(["1", "7"]);
    expect(filterGraph(graph, { sensitivity: "confidential" })).toEqual({ nodes: [], edges: [] });
  });

  it("by status keeps links in that approval state and drops unconnected nodes", () => {
    const g = filterGraph(graph, { status: "approved" });
    expect(ids(g)).toEqual(["agent:a", "agent:b", "gateway:g", "service:p", "tool:ok"]);
    expect(edgeIds(g)).toEqual(["1", "2", "3", "5", "8"]);
    expect(ids(filterGraph(graph, { status: "not_reviewed" }))).toEqual(["agent:a", "gateway:g", "integration:i"]);
  });

  it("by agent keeps a peer it reaches with the gateway that runs the peer, so the peer sits in its gateway's lane", () => {
    const g2: EcosystemGraph = {
      nodes: [...graph.nodes, node("gateway:h", "gateway"), node("agent:c", "agent")],
      edges: [
        ...graph.edges,
        { id: "9", source: "gateway:h", target: "agent:c", kind: "runs", state: "active" },
        { id: "10", source: "agent:b", target: "agent:c", kind: "talks", state: "unapproved", calls: 2 },
      ],
    };
    const g = filterGraph(g2, { agent: "b" });
    expect(ids(g)).toEqual(["agent:b", "agent:c", "gateway:g", "gateway:h", "service:p", "tool:ok"]);
    expect(edgeIds(g)).toEqual(["10", "2", "5", "8", "9"]);
    expect(layoutGraph(g).laneOf.get("agent:c")).toBe("lane:gateway:h");
  });

  it("combines filters", () => {
    expect(ids(filterGraph(graph, { agent: "a", status: "approved" }))).toEqual(["agent:a", "gateway:g", "tool:ok"]);
    expect(filterGraph(graph, { agent: "b", sensitivity: "restricted" })).toEqual({ nodes: [], edges: [] });
  });

  it("groups agents in a lane per gateway, with tools, integrations and services in columns beside the lanes", () => {
    const { positions: pos, lanes, laneOf } = layoutGraph(graph);
    const x = (id: string) => pos.get(id)!.x;
    const y = (id: string) => pos.get(id)!.y;
    expect(pos.size).toBe(graph.nodes.length);
    // one lane per gateway (an idle gateway too), one for agents without a gateway
    expect(lanes.map((l) => [l.id, l.gatewayId, l.agentIds])).toEqual([
      ["lane:gateway:g", "gateway:g", ["agent:a", "agent:b"]],
      ["lane:gateway:idle", "gateway:idle", []],
      ["lane:none", null, ["agent:lonely"]],
    ]);
    expect(laneOf.get("agent:a")).toBe("lane:gateway:g");
    // inside a lane: the gateway on top, its agents below; every node inside its lane's box
    expect(y("gateway:g")).toBeLessThan(y("agent:a"));
    expect(y("agent:a")).toBeLessThan(y("agent:b"));
    for (const l of lanes) {
      for (const id of [...(l.gatewayId ? [l.gatewayId] : []), ...l.agentIds]) {
        expect(y(id)).toBeGreaterThanOrEqual(l.y);
        expect(y(id) + NODE_HEIGHT).toBeLessThanOrEqual(l.y + l.height);
        expect(x(id) + NODE_WIDTH).toBeLessThanOrEqual(l.x + l.width);
      }
    }
    // lanes do not overlap
    expect(lanes[0].y + lanes[0].height).toBeLessThan(lanes[1].y);
    // columns beside the lanes: tools, then integrations, then services
    expect(x("agent:a")).toBeLessThan(x("tool:ok"));
    expect(x("tool:ok")).toBeLessThan(x("integration:i"));
    expect(x("integration:i")).toBeLessThan(x("service:r"));
    // nodes in a column never overlap
    expect(Math.abs(y("tool:ok") - y("tool:bad"))).toBeGreaterThanOrEqual(NODE_HEIGHT);
  });

  it("highlights a node's neighbourhood: one link away, and a lane's gateway and agents with theirs", () => {
    const layout = layoutGraph(graph);
    expect([...neighbourhood(graph, layout, "tool:ok")].sort()).toEqual(["agent:a", "agent:b", "tool:ok"]);
    expect([...neighbourhood(graph, layout, "agent:b")].sort()).toEqual(["agent:b", "gateway:g", "service:p", "tool:ok"]);
    expect([...neighbourhood(graph, layout, "lane:gateway:g")].sort()).toEqual(["agent:a", "agent:b", "gateway:g", "integration:i", "service:p", "service:r", "tool:bad", "tool:ok"]);
    expect([...neighbourhood(graph, layout, "lane:none")]).toEqual(["agent:lonely"]);
  });
});
