import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listIdentityRules, listRateLimits, listRuleChoices } from "@/lib/identity-policy/queries";
import type { IdentityRuleView, RateLimitView } from "@/lib/identity-policy/service";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { Badge } from "@/components/ui/Badge";
import { fmtDate } from "@/components/ui/format";
import { IdentityRuleForm } from "@/components/identity-policy/IdentityRuleForm";
import { RateLimitForm } from "@/components/identity-policy/RateLimitForm";
import { DeleteButton } from "@/components/identity-policy/DeleteButton";
import { createIdentityRule, createRateLimit, deleteIdentityRule, deleteRateLimit } from "./actions";

export const metadata: Metadata = { title: "Who may use what" };

const EFFECT_TONE = { allow: "green", deny: "red", require_approval: "amber" } as const;

function who(r: IdentityRuleView | RateLimitView): string {
  if (r.subject === "person") return r.personName ?? "a deleted person";
  if (r.subject === "group") return `group ${r.groupName ?? "(deleted)"}`;
  return r.subject === "unidentified" ? "no provable requester" : "anyone";
}

export default async function IdentityRulesPage() {
  const actor = await requireScope("registry:read");
  const canManage = can(actor.role, "identity_policy:manage");
  const [rules, limits, choices] = await Promise.all([listIdentityRules(actor), listRateLimits(actor), canManage ? listRuleChoices(actor) : null]);
  return (
    <>
      <PageHeader
        title="Who may use what"
        description="Rules and rate limits per person and group, enforced at each gateway after the agent's own allowlist. Changes reach the gateways in their signed policy within seconds."
      />
      <section aria-labelledby="rules-heading" className="mb-10 space-y-4">
        <h2 id="rules-heading" className="text-lg font-semibold">
          Rules
        </h2>
        <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
          The most specific rule wins: a person&apos;s rule beats a group&apos;s, a group&apos;s beats &ldquo;no provable requester&rdquo;, which beats &ldquo;anyone&rdquo;; then a rule naming the
          tool beats one for every tool, and one naming the agent beats one for every agent. Between equally specific rules, deny beats require approval beats allow. For example,{" "}
          <em>group finance × ledger-agent × payments.send: allow</em> with <em>anyone × ledger-agent × payments.send: deny</em> means the finance group may send payments with the ledger agent and
          everyone else is denied. An allow never gives an agent a tool its allowlist does not hold; calls no rule matches are not restricted.
        </p>
        {canManage && choices && (
          <Card title="New rule">
            <IdentityRuleForm choices={choices} action={createIdentityRule} />
          </Card>
        )}
        {rules.length === 0 ? (
          <EmptyState title="No rules">Every person may use whatever the agents&apos; allowlists allow.</EmptyState>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Rules</caption>
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th className="py-2">Who</th>
                <th>Agent</th>
                <th>Tool</th>
                <th>Effect</th>
                <th>Reason</th>
                <th>Created</th>
                {canManage && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id} className="border-b border-slate-100 dark:border-slate-800">
                  <td className="py-2">{who(r)}</td>
                  <td>{r.agentName ?? "every agent"}</td>
                  <td>{r.toolName ? <code>{r.toolName}</code> : "every tool"}</td>
                  <td>
                    <Badge tone={EFFECT_TONE[r.effect]}>{r.effect === "require_approval" ? `require approval (${r.timeoutSeconds ?? 120} s)` : r.effect}</Badge>
                  </td>
                  <td>{r.reason}</td>
                  <td>
                    {fmtDate(r.createdAt)} by {r.createdBy}
                  </td>
                  {canManage && (
                    <td>
                      <DeleteButton
                        id={r.id}
                        label={`rule for ${who(r)}`}
                        consequence={`Delete this rule? ${who(r)} ${r.effect === "allow" ? "loses this exception" : "is no longer restricted by it"} once the gateways refresh (seconds).`}
                        action={deleteIdentityRule}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="limits-heading" className="space-y-4">
        <h2 id="limits-heading" className="text-lg font-semibold">
          Rate limits
        </h2>
        <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
          Every matching limit applies. Each counts one person&apos;s allowed calls over the last 60 seconds across every agent and sub-agent acting for them (spawning agents does not multiply it);
          blocked calls are not counted. A shared limit is counted by Warden across all gateways; if a gateway cannot reach Warden, the call is blocked.
        </p>
        {canManage && choices && (
          <Card title="New rate limit">
            <RateLimitForm choices={choices} action={createRateLimit} />
          </Card>
        )}
        {limits.length === 0 ? (
          <EmptyState title="No rate limits">No per-person limits: only the agents&apos; own budgets apply.</EmptyState>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Rate limits</caption>
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th className="py-2">Who</th>
                <th>Agent</th>
                <th>Tool</th>
                <th>Calls</th>
                <th>Per minute</th>
                <th>Counted by</th>
                <th>Reason</th>
                {canManage && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {limits.map((l) => (
                <tr key={l.id} className="border-b border-slate-100 dark:border-slate-800">
                  <td className="py-2">{who(l)}</td>
                  <td>{l.agentName ?? "every agent"}</td>
                  <td>{l.toolName ? <code>{l.toolName}</code> : "every tool"}</td>
                  <td>{l.tier === "subagent" ? "sub-agents" : l.tier === "interactive" ? "interactive" : "every call"}</td>
                  <td>{l.perMinute}</td>
                  <td>{l.shared ? "Warden (shared)" : "each gateway"}</td>
                  <td>{l.reason}</td>
                  {canManage && (
                    <td>
                      <DeleteButton id={l.id} label={`limit for ${who(l)}`} consequence={`Delete this limit of ${l.perMinute} a minute?`} action={deleteRateLimit} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
