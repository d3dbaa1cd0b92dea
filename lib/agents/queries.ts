import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { CSV_MAX_ROWS, parseListQuery, skipTake, sortKey, textContains } from "@/lib/list";
import { observedModels } from "@/lib/model-usage/queries";
import { postureFlags } from "./posture";
import { agentWhereOf, type TeamScope } from "@/lib/teams/scope";

export const AGENT_FILTERS = {
  status: z.enum(["active", "suspended", "quarantined"]).optional(),
  scope: z.enum(["internal", "external"]).optional(),
  gateway: z.uuid().optional(),
};
const SORTS = ["name", "owner", "status", "scope", "updatedAt"] as const;

export function parseAgentQuery(params: Parameters<typeof parseListQuery>[0]) {
  return parseListQuery(params, AGENT_FILTERS);
}
type Q = ReturnType<typeof parseAgentQuery>["query"];

/** Which agents (of the scope: another team's agent names never show) share each credential. */
async function credentialUse(scope: TeamScope) {
  const all = await db.agent.findMany({ where: agentWhereOf(scope), select: { name: true, credentialRefs: true } });
  const use = new Map<string, string[]>();
  for (const a of all) for (const r of a.credentialRefs) use.set(r, [...(use.get(r) ?? []), a.name]);
  return use;
}

/** A page of agents with their posture flags (server-side search, filters, sort), within the team scope. */
export async function listAgentsPage(q: Q, opts: { all?: boolean; scope?: TeamScope } = {}) {
  const scope = opts.scope ?? null;
  const where: Prisma.AgentWhereInput = {
    ...agentWhereOf(scope),
    ...(q.status ? { status: q.status } : {}),
    ...(q.scope ? { scope: q.scope } : {}),
    ...(q.gateway ? { gatewayId: q.gateway } : {}),
    ...(q.q ? { OR: [{ name: textContains(q.q) }, { owner: textContains(q.q) }, { purpose: textContains(q.q) }] } : {}),
  };
  const sort = sortKey(q.sort, SORTS, "name");
  const [rows, total, use] = await Promise.all([
    db.agent.findMany({
      where,
      orderBy: [{ [sort]: q.dir }, { name: "asc" }, { id: "asc" }] as Prisma.AgentOrderByWithRelationInput[],
      ...(opts.all ? { skip: 0, take: CSV_MAX_ROWS } : skipTake(q)),
      select: {
        id: true,
        name: true,
        owner: true,
        team: { select: { id: true, name: true } },
        purpose: true,
        status: true,
        scope: true,
        model: true,
        fallbackModels: true,
        channels: true,
        credentialRefs: true,
        posture: true,
        gateway: { select: { id: true, name: true } },
        _count: { select: { bundles: true, grants: true } },
      },
    }),
    db.agent.count({ where }),
    credentialUse(scope),
  ]);
  const observed = await observedModels(rows.map((a) => a.id));
  return {
    total,
    page: q.page,
    pageSize: q.pageSize,
    rows: rows.map((a) => ({ ...a, flags: postureFlags({ ...a, toolCount: a._count.bundles + a._count.grants, observed: observed.get(a.id) }, use) })),
  };
}

/** One agent with bundles, grants (active and past) and posture flags; null outside the team scope. */
export async function getAgent(id: string, scope: TeamScope = null) {
  const a = await db.agent.findFirst({
    where: { id, ...agentWhereOf(scope) },
    select: {
      id: true,
      name: true,
      owner: true,
      team: { select: { id: true, name: true } },
      purpose: true,
      status: true,
      scope: true,
      model: true,
      fallbackModels: true,
      channels: true,
      credentialRefs: true,
      posture: true,
      externalId: true,
      gatewayId: true,
      createdAt: true,
      updatedAt: true,
      gateway: { select: { id: true, name: true, environment: true } },
      bundles: { select: { bundle: { select: { id: true, name: true, description: true, _count: { select: { tools: true } } } } } },
      grants: {
        orderBy: { createdAt: "desc" },
        select: {
          id: true,
          kind: true,
          reason: true,
          expiresAt: true,
          revokedAt: true,
          revokeReason: true,
          createdAt: true,
          tool: { select: { id: true, name: true } },
          grantedBy: { select: { email: true } },
        },
      },
    },
  });
  if (!a) return null;
  const [use, observed] = await Promise.all([credentialUse(scope), observedModels([a.id])]);
  const flags = postureFlags({ ...a, toolCount: a.bundles.length + a.grants.length, observed: observed.get(a.id) }, use);
  return { ...a, flags };
}

export function listBundles() {
  return db.capabilityBundle.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, tools: { select: { tool: { select: { id: true, name: true } } } }, _count: { select: { agents: true } } },
  });
}

export function agentOptions(scope: TeamScope = null) {
  return db.agent.findMany({ where: agentWhereOf(scope), orderBy: { name: "asc" }, select: { id: true, name: true } });
}
