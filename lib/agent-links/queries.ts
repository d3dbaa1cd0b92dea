import "server-only";
import { db } from "@/lib/db";
import { agentWhereOf, type TeamScope } from "@/lib/teams/scope";

export type AgentLinkRow = {
  /** The other agent (target of an outgoing link, caller of an incoming one); null when not registered in Warden. */
  agentId: string | null;
  agentName: string;
  /** The gateway agent id of the target (outgoing) or of the caller (incoming). */
  gatewayAgentId: string | null;
  approved: { reason: string; approvedBy: string; at: Date } | null;
  calls: number;
  blocked: number;
  lastAt: Date | null;
};

/**
 * The agent's links: outgoing (agents it reached or may reach: the agent_links rollup joined to
 * the approved pairs), incoming (agents that reached it), and the agents of its gateway a pair
 * may be approved to.
 */
export async function agentLinksOf(agentId: string, scope: TeamScope = null): Promise<{ outgoing: AgentLinkRow[]; incoming: AgentLinkRow[]; candidates: { id: string; name: string }[] }> {
  const agent = await db.agent.findFirst({ where: { id: agentId, ...agentWhereOf(scope) }, select: { id: true, gatewayId: true, externalId: true } });
  if (!agent) return { outgoing: [], incoming: [], candidates: [] };
  const [seenOut, seenIn, pairs, candidates] = await Promise.all([
    db.$queryRaw<{ target: string; toId: string | null; toName: string | null; calls: number; blocked: number; lastAt: Date }[]>`
      select l.target_external_id as target, t.id::text as "toId", t.name as "toName", l.calls, l.blocked, l.last_at as "lastAt"
        from agent_links l left join agents t on t.gateway_id = l.gateway_id and t.external_id = l.target_external_id
       where l.source_key = ${agent.id}::uuid and l.calls > 0 order by l.last_at desc limit 200`,
    agent.externalId && agent.gatewayId
      ? db.$queryRaw<{ fromId: string; fromName: string; fromExternal: string | null; calls: number; blocked: number; lastAt: Date }[]>`
          select a.id::text as "fromId", a.name as "fromName", a.external_id as "fromExternal", l.calls, l.blocked, l.last_at as "lastAt"
            from agent_links l join agents a on a.id = l.source_key
           where l.gateway_id = ${agent.gatewayId}::uuid and l.target_external_id = ${agent.externalId} and l.calls > 0 order by l.last_at desc limit 200`
      : Promise.resolve([]),
    db.agentLinkApproval.findMany({
      where: { OR: [{ fromAgentId: agent.id }, { toAgentId: agent.id }] },
      select: {
        fromAgentId: true,
        toAgentId: true,
        reason: true,
        approvedBy: true,
        createdAt: true,
        fromAgent: { select: { name: true, externalId: true } },
        toAgent: { select: { name: true, externalId: true } },
      },
    }),
    agent.gatewayId
      ? db.agent.findMany({ where: { gatewayId: agent.gatewayId, id: { not: agent.id }, ...agentWhereOf(scope) }, orderBy: { name: "asc" }, select: { id: true, name: true } })
      : Promise.resolve([]),
  ]);
  const approvalOf = (p: (typeof pairs)[number]) => ({ reason: p.reason, approvedBy: p.approvedBy, at: p.createdAt });
  const outgoing = new Map<string, AgentLinkRow>();
  for (const s of seenOut) {
    const p = s.toId ? pairs.find((x) => x.fromAgentId === agent.id && x.toAgentId === s.toId) : undefined;
    outgoing.set(s.toId ?? `ext:${s.target}`, {
      agentId: s.toId,
      agentName: s.toName ?? s.target,
      gatewayAgentId: s.target,
      approved: p ? approvalOf(p) : null,
      calls: s.calls,
      blocked: s.blocked,
      lastAt: s.lastAt,
    });
  }
  for (const p of pairs.filter((x) => x.fromAgentId === agent.id)) {
    if (!outgoing.has(p.toAgentId))
      outgoing.set(p.toAgentId, { agentId: p.toAgentId, agentName: p.toAgent.name, gatewayAgentId: p.toAgent.externalId, approved: approvalOf(p), calls: 0, blocked: 0, lastAt: null });
  }
  const incoming = new Map<string, AgentLinkRow>();
  for (const s of seenIn) {
    const p = pairs.find((x) => x.fromAgentId === s.fromId && x.toAgentId === agent.id);
    incoming.set(s.fromId, { agentId: s.fromId, agentName: s.fromName, gatewayAgentId: s.fromExternal, approved: p ? approvalOf(p) : null, calls: s.calls, blocked: s.blocked, lastAt: s.lastAt });
  }
  for (const p of pairs.filter((x) => x.toAgentId === agent.id)) {
    if (!incoming.has(p.fromAgentId))
      incoming.set(p.fromAgentId, { agentId: p.fromAgentId, agentName: p.fromAgent.name, gatewayAgentId: p.fromAgent.externalId, approved: approvalOf(p), calls: 0, blocked: 0, lastAt: null });
  }
  if (!scope) return { outgoing: [...outgoing.values()], incoming: [...incoming.values()], candidates };
  // A team-scoped reader sees links to and from agents of their team (and unregistered targets) only.
  const others = [...outgoing.values(), ...incoming.values()].flatMap((r) => (r.agentId ? [r.agentId] : []));
  const mine = new Set((await db.agent.findMany({ where: { id: { in: others }, ...agentWhereOf(scope) }, select: { id: true } })).map((a) => a.id));
  const visible = (r: AgentLinkRow) => !r.agentId || mine.has(r.agentId);
  return { outgoing: [...outgoing.values()].filter(visible), incoming: [...incoming.values()].filter(visible), candidates };
}
