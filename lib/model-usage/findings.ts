import "server-only";
import { db } from "@/lib/db";
import type { Candidate } from "@/lib/findings/compute";
import { judgeModel, modelKey } from "./policy";

const SAMPLE_EVENTS = 5;

type Group = {
  gatewayId: string;
  agentId: string;
  agentName: string;
  scope: string;
  provider: string;
  model: string;
  calls: number;
  fallbackCalls: number;
  primaryModel: string | null;
  firstAt: Date;
  lastAt: Date;
  sampleEventIds: string[];
};

/**
 * model_policy findings from the model calls gateways reported in [since, now]: one per
 * (gateway, agent, model) that the agent's scope does not allow, or that the agent fell back to
 * while it is weaker than its primary (lib/model-usage/policy.ts). Calls of agents not in the
 * registry have no scope to judge and raise nothing here.
 */
export async function modelPolicyCandidates(since: Date, now: Date): Promise<Candidate[]> {
  const [groups, rules] = await Promise.all([
    db.$queryRaw<Group[]>`
      select m.gateway_id::text as "gatewayId", m.agent_id::text as "agentId", a.name as "agentName", a.scope::text as scope,
             lower(m.provider) as provider, lower(m.model) as model, count(*)::int as calls,
             (count(*) filter (where m.fallback))::int as "fallbackCalls",
             max(m.primary_model) filter (where m.fallback) as "primaryModel",
             min(m.occurred_at) as "firstAt", max(m.occurred_at) as "lastAt",
             (array_agg(m.event_id order by m.occurred_at desc))[1:${SAMPLE_EVENTS}] as "sampleEventIds"
        from model_calls m join agents a on a.id = m.agent_id
       where m.occurred_at >= ${since} and m.occurred_at <= ${now} and m.agent_id is not null
       group by 1, 2, 3, 4, 5, 6`,
    db.modelRule.findMany({ select: { scope: true, pattern: true, status: true } }),
  ]);
  const out: Candidate[] = [];
  for (const g of groups) {
    const key = modelKey(g.provider, g.model);
    const j = judgeModel(rules, g.scope, key, { used: g.fallbackCalls > 0, primary: g.primaryModel ? g.primaryModel.toLowerCase() : null });
    if (!j.notAllowed && !j.weakFallback) continue;
    const scopeText = g.scope === "external" ? "external-facing" : "internal";
    const title = j.notAllowed
      ? `${g.agentName} used ${key}, which the model policy does not allow for ${scopeText} agents`
      : `${g.agentName} fell back to ${key}, a weaker model than its primary${g.primaryModel ? ` ${g.primaryModel}` : ""}`;
    out.push({
      kind: "model_policy",
      severity: j.weakFallback || g.scope === "external" ? "high" : "medium",
      gatewayId: g.gatewayId,
      agentId: g.agentId,
      toolName: null,
      subKey: key,
      title,
      detail: {
        model: key,
        scope: g.scope,
        reasons: [...(j.notAllowed ? ["not_allowed"] : []), ...(j.weakFallback ? ["weak_fallback"] : [])],
        why: j.why,
        rule: j.verdict.rule ?? "",
        calls: g.calls,
        fallbackCalls: g.fallbackCalls,
        primaryModel: g.primaryModel ?? "",
        firstAt: g.firstAt.toISOString(),
        lastAt: g.lastAt.toISOString(),
        sampleEventIds: g.sampleEventIds,
      },
      firstAt: g.firstAt,
      lastAt: g.lastAt,
    });
  }
  return out;
}
