import "server-only";
import { reviewDueAt } from "@/lib/integrations/queries";
import { dbRead } from "@/lib/db-read";
import { agentWhereOf, gatewayWhereOf, type TeamScope } from "@/lib/teams/scope";
import { APPROVAL_LABELS, type ApprovalState, type Classification, type EcosystemGraph, type MapEdge, type MapNode, type MapNodeType, type Risk, type TMapFilters } from "./schema";

/*
 * Risk rules of the ecosystem map (the legend and the list view repeat them in plain words).
 *
 * A tool or integration is on the map only when some agent may use it, so "in use" is implied.
 *   high   - a tool that is rejected, revoked or has no trust decision (unapproved tool in use);
 *          - an integration that is advisory-flagged, rejected, revoked, or has neither a trust
 *            decision nor a recorded audit;
 *          - a tool with a security advisory;
 *          - a data flow of restricted data that is not approved (proposed or rejected);
 *          - an agent with external scope that can execute commands (posture execMode allowlist or
 *            full, or an allowed tool whose latest version asks for exec).
 *   medium - a re-review that is overdue (tool decision, integration decision or next review date);
 *          - a tool from an unverified publisher, an integration from an unverified provider;
 *          - a data flow of confidential data (any status), or of restricted data that is approved
 *            (approved restricted data is at least as sensitive as confidential).
 *   low    - everything else.
 * An agent carries the highest risk of its own posture and of every tool, integration and data
 * flow it touches; a service (an egress host) the highest risk of the flows that reach it; a
 * gateway the highest risk of the agents it runs.
 */

const RISK_RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };
const TYPE_ORDER: Record<MapNodeType, number> = { gateway: 0, agent: 1, tool: 2, integration: 3, service: 4 };
const CLASS_RANK: Record<Classification, number> = { public: 0, internal: 1, confidential: 2, restricted: 3 };
const UNAPPROVED: ReadonlySet<ApprovalState> = new Set(["rejected", "revoked", "not_reviewed"]);
const CONNECTED_WITHIN_MS = 15 * 60_000;

type Decision = { outcome: "approve" | "approve_with_conditions" | "reject"; revokedAt: Date | null; reReviewAt: Date | null };
type Assessment = { risk: Risk; reasons: string[] };

/** The approval state a trust decision (the latest one) puts its subject in. */
export function approvalStateOf(decision: Decision | null | undefined, now: Date, nextReviewAt?: Date | null): ApprovalState {
  if (!decision) return "not_reviewed";
  if (decision.revokedAt) return "revoked";
  if (decision.outcome === "reject") return "rejected";
  if ((decision.reReviewAt && decision.reReviewAt < now) || (nextReviewAt && nextReviewAt < now)) return "overdue";
  return decision.outcome === "approve" ? "approved" : "approved_with_conditions";
}

function assess(rules: [Risk, string | false | null | undefined][]): Assessment {
  const hits = rules.filter((r): r is [Risk, string] => Boolean(r[1]));
  const risk = hits.reduce<Risk>((max, [r]) => (RISK_RANK[r] > RISK_RANK[max] ? r : max), "low");
  // Only the reasons that explain the final level; a high node does not list its medium causes first.
  return { risk, reasons: hits.filter(([r]) => r === risk).map(([, why]) => why) };
}

function maxRisk(parts: { label: string; a: Assessment }[], own: Assessment = { risk: "low", reasons: [] }): Assessment {
  const all = [{ label: "", a: own }, ...parts];
  const risk = all.reduce<Risk>((max, p) => (RISK_RANK[p.a.risk] > RISK_RANK[max] ? p.a.risk : max), "low");
  if (risk === "low") return { risk, reasons: [] };
  const reasons = all.filter((p) => p.a.risk === risk).flatMap((p) => p.a.reasons.map((r) => (p.label ? `${p.label}: ${r}` : r)));
  return { risk, reasons: [...new Set(reasons)] };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const fmtUtc = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");
const flowState = (s: "proposed" | "approved" | "rejected"): ApprovalState => (s === "proposed" ? "pending" : s);

function assessFlow(f: { classification: Classification; status: "proposed" | "approved" | "rejected" }): Assessment {
  return assess([
    ["high", f.classification === "restricted" && f.status !== "approved" && `restricted data flow ${f.status === "proposed" ? "not yet approved" : "rejected"}`],
    ["medium", f.classification === "restricted" && f.status === "approved" && "sends restricted data"],
    ["medium", f.classification === "confidential" && "sends confidential data"],
  ]);
}

/**
 * The whole ecosystem as a graph: gateways → agents → the tools they may use (bundles, active
 * grants and unexpired exceptions), the integrations they use and the hosts they send data to.
 * Shaped data only: never tool-call parameters, never secrets.
 */
export async function loadEcosystemGraph(now = new Date(), scope: TeamScope = null): Promise<EcosystemGraph> {
  // A team-scoped reader's map holds only the team's gateways and agents (and what they reach).
  const [gateways, agents] = await Promise.all([
    dbRead.gateway.findMany({ where: gatewayWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true, kind: true, environment: true, lastSeenAt: true } }),
    dbRead.agent.findMany({
      where: agentWhereOf(scope),
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        owner: true,
        team: { select: { name: true } },
        status: true,
        scope: true,
        posture: true,
        gatewayId: true,
        bundles: { select: { bundle: { select: { name: true, tools: { select: { toolId: true } } } } } },
        // Active grants, and exceptions that have not expired (an exception without an end date is not valid).
        grants: { where: { revokedAt: null, OR: [{ kind: "grant", expiresAt: null }, { expiresAt: { gt: now } }] }, select: { toolId: true, kind: true, expiresAt: true } },
        integrations: { select: { integrationId: true } },
        dataFlows: { orderBy: { host: "asc" }, select: { service: true, host: true, isLlmProvider: true, classification: true, status: true, dataSent: true } },
      },
    }),
  ]);

  // agent id → tool id → how the agent gets it
  const allowed = new Map<string, Map<string, string[]>>();
  for (const a of agents) {
    const tools = new Map<string, string[]>();
    const add = (toolId: string, via: string) => tools.set(toolId, [...(tools.get(toolId) ?? []), via]);
    for (const { bundle } of a.bundles) for (const t of bundle.tools) add(t.toolId, `bundle ${bundle.name}`);
    for (const g of a.grants) add(g.toolId, g.kind === "exception" ? `exception until ${fmtUtc(g.expiresAt)}` : "direct grant");
    allowed.set(a.id, tools);
  }
  const toolIds = [...new Set([...allowed.values()].flatMap((m) => [...m.keys()]))];
  const integrationIds = [...new Set(agents.flatMap((a) => a.integrations.map((i) => i.integrationId)))];

  const [tools, toolDecisions, integrations] = await Promise.all([
    dbRead.tool.findMany({
      where: { id: { in: toolIds } },
      select: {
        id: true,
        name: true,
        kind: true,
        source: true,
        publisher: true,
        publisherVerified: true,
        advisoryFlaggedAt: true,
        versions: { orderBy: { createdAt: "desc" }, take: 1, select: { version: true, permissions: true } },
      },
    }),
    // The latest decision on any version decides the tool's state.
    dbRead.trustDecision.findMany({
      where: { toolVersion: { toolId: { in: toolIds } } },
      orderBy: [{ decidedAt: "desc" }, { id: "asc" }],
      select: { outcome: true, revokedAt: true, reReviewAt: true, toolVersion: { select: { toolId: true } } },
    }),
    dbRead.integration.findMany({
      where: { id: { in: integrationIds } },
      select: {
        id: true,
        name: true,
        provider: true,
        providerVerified: true,
        nextReviewAt: true,
        advisoryFlaggedAt: true,
        auditDate: true,
        auditResult: true,
        decisions: { orderBy: { decidedAt: "desc" }, take: 1, select: { outcome: true, revokedAt: true, reReviewAt: true } },
      },
    }),
  ]);

  const latestToolDecision = new Map<string, Decision>();
  for (const d of toolDecisions) if (d.toolVersion && !latestToolDecision.has(d.toolVersion.toolId)) latestToolDecision.set(d.toolVersion.toolId, d);

  const nodes: MapNode[] = [];
  const edges: MapEdge[] = [];

  // ── tools
  const toolInfo = new Map<string, { node: MapNode; a: Assessment; state: ApprovalState; exec: boolean }>();
  for (const t of tools) {
    const state = approvalStateOf(latestToolDecision.get(t.id), now);
    const latest = t.versions[0];
    // Only the exec flag is read from the permissions JSON; nothing else of it leaves the server.
    const exec = (latest?.permissions as { exec?: unknown } | null)?.exec === true;
    const a = assess([
      ["high", UNAPPROVED.has(state) && `${APPROVAL_LABELS[state]} tool in use`],
      ["high", t.advisoryFlaggedAt && "security advisory"],
      ["medium", state === "overdue" && "re-review overdue"],
      ["medium", !t.publisherVerified && "unverified publisher"],
    ]);
    const node: MapNode = {
      id: `tool:${t.id}`,
      type: "tool",
      label: t.name,
      status: state,
      risk: a.risk,
      reasons: a.reasons,
      href: `/tools/${t.id}`,
      meta: {
        kind: `${t.kind.replace("_", " ")} · ${t.source}`,
        publisher: `${t.publisher} (${t.publisherVerified ? "verified" : "unverified"})`,
        ...(latest ? { version: latest.version } : {}),
        ...(exec ? { permissions: "asks for exec" } : {}),
      },
    };
    toolInfo.set(t.id, { node, a, state, exec });
  }

  // ── integrations
  const integrationInfo = new Map<string, { node: MapNode; a: Assessment; state: ApprovalState }>();
  for (const i of integrations) {
    // A recorded vendor audit (date + result) is the integration's review when no explicit
    // trust decision exists; its next review date keeps it current.
    const audited: Decision | null = i.auditDate && i.auditResult ? { outcome: "approve", revokedAt: null, reReviewAt: i.nextReviewAt } : null;
    const state = approvalStateOf(i.decisions[0] ?? audited, now, reviewDueAt(i));
    const a = assess([
      ["high", i.advisoryFlaggedAt && "vendor advisory flagged"],
      ["high", UNAPPROVED.has(state) && `${APPROVAL_LABELS[state]} integration in use`],
      ["medium", state === "overdue" && "re-review overdue"],
      ["medium", !i.providerVerified && "unverified provider"],
    ]);
    const node: MapNode = {
      id: `integration:${i.id}`,
      type: "integration",
      label: i.name,
      status: state,
      risk: a.risk,
      reasons: a.reasons,
      href: `/integrations/${i.id}`,
      meta: { provider: `${i.provider} (${i.providerVerified ? "verified" : "unverified"})` },
      times: { "next review": iso(i.nextReviewAt), ...(i.advisoryFlaggedAt ? { "advisory flagged": iso(i.advisoryFlaggedAt) } : {}) },
    };
    integrationInfo.set(i.id, { node, a, state });
  }

  // ── agents and their edges; services are collected per host
  const services = new Map<string, { names: Set<string>; llm: boolean; flows: { classification: Classification; status: "proposed" | "approved" | "rejected"; a: Assessment; agent: string }[] }>();
  const agentRisk = new Map<string, { name: string; a: Assessment; gatewayId: string | null }>();
  for (const ag of agents) {
    const agentNodeId = `agent:${ag.id}`;
    const parts: { label: string; a: Assessment }[] = [];
    let canExec = false;

    for (const [toolId, via] of allowed.get(ag.id) ?? []) {
      const t = toolInfo.get(toolId);
      if (!t) continue;
      canExec ||= t.exec;
      parts.push({ label: `tool ${t.node.label}`, a: t.a });
      edges.push({ id: `allowed:${agentNodeId}->${t.node.id}`, source: agentNodeId, target: t.node.id, kind: "allowed", state: t.state, via });
    }
    for (const { integrationId } of ag.integrations) {
      const i = integrationInfo.get(integrationId);
      if (!i) continue;
      parts.push({ label: `integration ${i.node.label}`, a: i.a });
      edges.push({ id: `uses:${agentNodeId}->${i.node.id}`, source: agentNodeId, target: i.node.id, kind: "uses", state: i.state });
    }
    for (const f of ag.dataFlows) {
      const serviceId = `service:${f.host}`;
      const a = assessFlow(f);
      parts.push({ label: `data flow to ${f.host}`, a });
      const s = services.get(f.host) ?? { names: new Set(), llm: false, flows: [] };
      s.names.add(f.service);
      s.llm ||= f.isLlmProvider;
      s.flows.push({ classification: f.classification, status: f.status, a, agent: ag.name });
      services.set(f.host, s);
      edges.push({
        id: `sends:${agentNodeId}->${serviceId}`,
        source: agentNodeId,
        target: serviceId,
        kind: "sends",
        state: flowState(f.status),
        classification: f.classification,
        detail: `${f.service}: ${f.dataSent}`,
      });
    }

    const posture = (ag.posture ?? {}) as { execMode?: unknown };
    const execMode = typeof posture.execMode === "string" ? posture.execMode : undefined;
    canExec ||= execMode === "full" || execMode === "allowlist";
    const own = assess([["high", ag.scope === "external" && canExec && "external scope with exec"]]);
    const a = maxRisk(parts, own);
    agentRisk.set(ag.id, { name: ag.name, a, gatewayId: ag.gatewayId });
    nodes.push({
      id: agentNodeId,
      type: "agent",
      label: ag.name,
      status: ag.status,
      risk: a.risk,
      reasons: a.reasons,
      href: `/agents/${ag.id}`,
      meta: { owner: ag.team ? `${ag.owner} (${ag.team.name})` : ag.owner, scope: ag.scope, ...(execMode ? { exec: execMode } : {}) },
    });
    if (ag.gatewayId) edges.push({ id: `runs:gateway:${ag.gatewayId}->${agentNodeId}`, source: `gateway:${ag.gatewayId}`, target: agentNodeId, kind: "runs", state: ag.status });
  }

  // ── gateways
  for (const g of gateways) {
    // One reason per agent (its own reasons are on the agent), not the agents' reasons flattened.
    const parts = [...agentRisk.values()].filter((r) => r.gatewayId === g.id).map((r) => ({ label: "", a: { risk: r.a.risk, reasons: [`runs ${r.a.risk}-risk agent ${r.name}`] } }));
    const a = maxRisk(parts);
    const status = !g.lastSeenAt ? "never seen" : now.getTime() - g.lastSeenAt.getTime() <= CONNECTED_WITHIN_MS ? "connected" : "stale";
    nodes.push({
      id: `gateway:${g.id}`,
      type: "gateway",
      label: g.name,
      status,
      risk: a.risk,
      reasons: a.reasons,
      href: "/gateways",
      meta: { kind: g.kind, environment: g.environment },
      times: { "last seen": iso(g.lastSeenAt) },
    });
  }

  // ── services (one per egress host)
  for (const [host, s] of services) {
    const worst = s.flows.some((f) => f.status === "rejected") ? "rejected" : s.flows.some((f) => f.status === "proposed") ? "pending" : "approved";
    const top = s.flows.reduce<Classification>((m, f) => (CLASS_RANK[f.classification] > CLASS_RANK[m] ? f.classification : m), "public");
    const a = maxRisk(s.flows.map((f) => ({ label: `from ${f.agent}`, a: f.a })));
    nodes.push({
      id: `service:${host}`,
      type: "service",
      label: host,
      status: worst,
      risk: a.risk,
      reasons: a.reasons,
      href: `/data-flows?q=${encodeURIComponent(host)}`,
      meta: { service: [...s.names].join(", "), "highest classification": top, ...(s.llm ? { "LLM provider": "yes" } : {}) },
    });
  }

  edges.push(...(await agentLinkEdges(agents.map((a) => ({ id: a.id, gatewayId: a.gatewayId })))));
  for (const { node } of toolInfo.values()) nodes.push(node);
  for (const { node } of integrationInfo.values()) nodes.push(node);
  // Edges may only reference nodes that exist (an agent's gateway is always loaded; this is a guard).
  const ids = new Set(nodes.map((n) => n.id));
  return { nodes: sortNodes(nodes), edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
}

/**
 * Agent → agent edges: every pair seen calling (lib/agent-links: the agent_links rollup, the target
 * resolved by gateway and gateway agent id) and every approved pair, approved or not, with calls
 * and the last one. Calls of unattributed agents or to agents not registered have no node to draw.
 */
async function agentLinkEdges(agents: { id: string; gatewayId: string | null }[]): Promise<MapEdge[]> {
  if (!agents.length) return [];
  const [seen, approved] = await Promise.all([
    dbRead.$queryRaw<{ from: string; to: string; calls: number; blocked: number; lastAt: Date }[]>`
      select l.source_key::text as "from", t.id::text as "to", l.calls, l.blocked, l.last_at as "lastAt"
        from agent_links l join agents t on t.gateway_id = l.gateway_id and t.external_id = l.target_external_id
       where l.calls > 0 and t.id <> l.source_key`,
    dbRead.agentLinkApproval.findMany({ select: { fromAgentId: true, toAgentId: true } }),
  ]);
  const ok = new Set(approved.map((p) => `${p.fromAgentId} ${p.toAgentId}`));
  const out = new Map<string, MapEdge>();
  for (const l of seen) {
    const state = ok.has(`${l.from} ${l.to}`) ? "approved" : "unapproved";
    out.set(`${l.from} ${l.to}`, {
      id: `talks:agent:${l.from}->agent:${l.to}`,
      source: `agent:${l.from}`,
      target: `agent:${l.to}`,
      kind: "talks",
      state,
      calls: l.calls,
      lastAt: l.lastAt.toISOString(),
      detail: `${l.calls} calls${l.blocked ? ` (${l.blocked} blocked)` : ""}`,
    });
  }
  for (const p of approved) {
    if (out.has(`${p.fromAgentId} ${p.toAgentId}`)) continue;
    out.set(`${p.fromAgentId} ${p.toAgentId}`, {
      id: `talks:agent:${p.fromAgentId}->agent:${p.toAgentId}`,
      source: `agent:${p.fromAgentId}`,
      target: `agent:${p.toAgentId}`,
      kind: "talks",
      state: "approved",
      calls: 0,
      detail: "approved, no calls yet",
    });
  }
  return [...out.values()];
}

function sortNodes(nodes: MapNode[]): MapNode[] {
  return nodes.sort((x, y) => TYPE_ORDER[x.type] - TYPE_ORDER[y.type] || x.label.localeCompare(y.label));
}

/**
 * Narrow the graph to the filters and keep only connected nodes. `sensitivity` keeps the data
 * flows of that classification; `status` keeps the tool, integration and data-flow links in that
 * approval state; `agent` keeps that agent's links. Agents that keep a link stay (both ends of an
 * agent → agent link), with the gateway that runs them; everything left without a link is dropped. Without filters the graph is unchanged.
 */
export function filterGraph(graph: EcosystemGraph, filters: TMapFilters): EcosystemGraph {
  const { agent, sensitivity, status } = filters;
  if (!agent && !sensitivity && !status) return graph;
  const agentId = agent ? `agent:${agent}` : undefined;

  const links = graph.edges.filter(
    (e) => e.kind !== "runs" && (!agentId || e.source === agentId) && (!sensitivity || (e.kind === "sends" && e.classification === sensitivity)) && (!status || e.state === status),
  );
  // Agents at either end of a kept link stay (a peer an agent reaches too), each with its gateway.
  const agents = new Set<string>(links.flatMap((e) => (e.kind === "talks" ? [e.source, e.target] : [e.source])));
  // Filtering by agent alone shows the agent even when it has no links yet.
  if (agentId && !sensitivity && !status && graph.nodes.some((n) => n.id === agentId)) agents.add(agentId);

  const edges = [...graph.edges.filter((e) => e.kind === "runs" && agents.has(e.target)), ...links];
  const keep = new Set<string>([...agents, ...edges.flatMap((e) => [e.source, e.target])]);
  return { nodes: graph.nodes.filter((n) => keep.has(n.id)), edges };
}

/** The ecosystem graph for the map page, with the URL filters applied on the server. */
export async function getEcosystemMap(filters: TMapFilters, now = new Date(), scope: TeamScope = null) {
  const full = await loadEcosystemGraph(now, scope);
  const agents = full.nodes.filter((n) => n.type === "agent").map((n) => ({ id: n.id.slice("agent:".length), name: n.label }));
  return { graph: filterGraph(full, filters), agents, total: { nodes: full.nodes.length, edges: full.edges.length } };
}
