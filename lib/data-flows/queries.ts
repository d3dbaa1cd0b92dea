import "server-only";
import { z } from "zod";
import YAML from "yaml";
import { db } from "@/lib/db";
import { agentWhereOf, viaAgentWhereOf, type TeamScope } from "@/lib/teams/scope";
import type { Prisma } from "@/lib/generated/prisma/client";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains, type ListResult } from "@/lib/list";
import { toCsv } from "@/lib/csv";
import { CLASSIFICATIONS, FLOW_STATUSES } from "./schema";

/** URL filters of the data-flow list (beside q, sort, dir, page, pageSize). */
export const DATA_FLOW_FILTERS = {
  status: z.enum(FLOW_STATUSES).optional(),
  classification: z.enum(CLASSIFICATIONS).optional(),
  llm: z.enum(["yes", "no"]).optional(),
  agent: z.string().trim().max(120).optional(),
};

/** Parse the list URL (page or API): invalid values are dropped and reported in `invalid`. */
export function parseDataFlowQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, DATA_FLOW_FILTERS);
}
export type TDataFlowListQuery = ReturnType<typeof parseDataFlowQuery>["query"];

export const DATA_FLOW_SORTS = ["agent", "service", "host", "classification", "status", "decidedAt", "updatedAt"] as const;

function whereOf(q: TDataFlowListQuery): Prisma.DataFlowWhereInput {
  const and: Prisma.DataFlowWhereInput[] = [];
  if (q.status) and.push({ status: q.status });
  if (q.classification) and.push({ classification: q.classification });
  if (q.llm) and.push({ isLlmProvider: q.llm === "yes" });
  if (q.agent) and.push({ agent: { name: q.agent } });
  if (q.q) {
    const contains = textContains(q.q);
    and.push({ OR: [{ service: contains }, { host: contains }, { dataSent: contains }, { dataReceived: contains }, { agent: { name: contains } }] });
  }
  return and.length ? { AND: and } : {};
}

function orderOf(q: TDataFlowListQuery): Prisma.DataFlowOrderByWithRelationInput[] {
  const key = sortKey(q.sort, DATA_FLOW_SORTS, "agent");
  const dir = q.dir;
  const primary: Prisma.DataFlowOrderByWithRelationInput = key === "agent" ? { agent: { name: dir } } : key === "decidedAt" ? { decidedAt: { sort: dir, nulls: "last" } } : { [key]: dir };
  return [primary, { agent: { name: "asc" } }, { host: "asc" }, { id: "asc" }];
}

const LIST_SELECT = {
  id: true,
  agentId: true,
  service: true,
  host: true,
  isLlmProvider: true,
  dataSent: true,
  dataReceived: true,
  classification: true,
  status: true,
  decidedAt: true,
  updatedAt: true,
  agent: { select: { name: true } },
  approver: { select: { name: true, email: true } },
} as const satisfies Prisma.DataFlowSelect;
export type DataFlowRow = Prisma.DataFlowGetPayload<{ select: typeof LIST_SELECT }>;

/** One page of the data-flow registry: search, allowlisted sort, filters. */
export async function listDataFlows(q: TDataFlowListQuery, scope: TeamScope = null): Promise<ListResult<DataFlowRow>> {
  const where = { AND: [whereOf(q), viaAgentWhereOf(scope)] };
  const [rows, total] = await Promise.all([db.dataFlow.findMany({ where, orderBy: orderOf(q), ...skipTake(q), select: LIST_SELECT }), db.dataFlow.count({ where })]);
  return { rows, total, page: q.page, pageSize: q.pageSize };
}

const CSV_COLUMNS = [
  { key: "agent", header: "agent" },
  { key: "service", header: "service" },
  { key: "host", header: "host" },
  { key: "isLlmProvider", header: "is_llm_provider" },
  { key: "dataSent", header: "data_sent" },
  { key: "dataReceived", header: "data_received" },
  { key: "classification", header: "classification" },
  { key: "status", header: "status" },
  { key: "approver", header: "approver" },
  { key: "decidedAt", header: "decided_at" },
];

/** The current view (filters and sort, every page up to CSV_MAX_ROWS) as CSV, formula-neutralised. */
export async function exportDataFlowsCsv(q: TDataFlowListQuery, scope: TeamScope = null): Promise<{ csv: string; rows: number }> {
  const rows = await db.dataFlow.findMany({ where: { AND: [whereOf(q), viaAgentWhereOf(scope)] }, orderBy: orderOf(q), take: CSV_MAX_ROWS, select: LIST_SELECT });
  const flat = rows.map((r) => ({ ...r, agent: r.agent.name, approver: r.approver?.email ?? null }));
  return { csv: toCsv(CSV_COLUMNS, flat), rows: flat.length };
}

/** One data flow with its agent and approver; null when missing. */
export async function getDataFlow(id: string, scope: TeamScope = null) {
  if (!z.uuid().safeParse(id).success) return null;
  return db.dataFlow.findFirst({ where: { id, ...viaAgentWhereOf(scope) }, select: { ...LIST_SELECT, createdAt: true } });
}
export type DataFlowDetail = NonNullable<Awaited<ReturnType<typeof getDataFlow>>>;

/** Agents to choose from when recording a flow (id and name only). */
export function listAgentChoices(scope: TeamScope = null) {
  return db.agent.findMany({ where: agentWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true } });
}

/**
 * The egress allowlist, in the shape of a NemoClaw network policy
 * (`nemoclaw-blueprint/policies/network.yaml`): `allowed_domains` for the whole fleet, and the
 * same per agent. Only approved flows are included; proposed and rejected hosts never are.
 */
export type EgressPolicy = {
  allowed_domains: string[];
  agents: Record<string, { allowed_domains: string[] }>;
};

/** Build the egress policy from approved flows, optionally for one agent (by name). */
export async function buildEgressPolicy(opts: { agent?: string } = {}): Promise<EgressPolicy> {
  const flows = await db.dataFlow.findMany({
    where: { status: "approved", ...(opts.agent ? { agent: { name: opts.agent } } : {}) },
    orderBy: [{ agent: { name: "asc" } }, { host: "asc" }],
    select: { host: true, agent: { select: { name: true } } },
  });
  const agents: EgressPolicy["agents"] = {};
  for (const f of flows) (agents[f.agent.name] ??= { allowed_domains: [] }).allowed_domains.push(f.host);
  const all = [...new Set(flows.map((f) => f.host))].sort();
  return { allowed_domains: all, agents };
}

/** Render the policy as YAML (with a provenance header) or JSON. */
export function renderEgressPolicy(policy: EgressPolicy, format: "yaml" | "json", generatedAt = new Date()): { body: string; contentType: string; filename: string } {
  if (format === "json") {
    return { body: JSON.stringify({ generated_at: generatedAt.toISOString(), ...policy }, null, 2) + "\n", contentType: "application/json; charset=utf-8", filename: "network.json" };
  }
  const header = [
    "# nemoclaw-blueprint/policies/network.yaml",
    `# Generated by Warden at ${generatedAt.toISOString()} from approved data flows only.`,
    "# allowed_domains: every approved host in the fleet; agents.<name>.allowed_domains: that agent's own.",
  ].join("\n");
  return { body: `${header}\n${YAML.stringify(policy)}`, contentType: "application/yaml; charset=utf-8", filename: "network.yaml" };
}
