import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listApprovalRules } from "@/lib/approvals/queries";
import { listAgentChoices } from "@/lib/integrations/queries";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { Badge } from "@/components/ui/Badge";
import { fmtDate } from "@/components/ui/format";
import { RuleForm } from "@/components/approvals/RuleForm";
import { RuleToggle } from "@/components/approvals/RuleToggle";
import { createApprovalRule, updateApprovalRule } from "../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Approval rules" };

export default async function ApprovalRulesPage() {
  const actor = await requireScope("registry:read");
  const canManage = can(actor.role, "approval_rules:manage");
  const [rules, agents] = await Promise.all([listApprovalRules(), canManage ? listAgentChoices(teamScopeOf(actor)) : Promise.resolve([])]);
  return (
    <>
      <PageHeader
        title="Approval rules"
        description="Calls that wait at the gateway for a person's approval. Rules reach the gateways in their signed policy within seconds; a call the agent may not make at all is denied before any rule applies."
        actions={
          <Link href="/approvals" className="text-sm text-brand-600 hover:underline">
            Approvals queue
          </Link>
        }
      />
      {canManage && (
        <div className="mb-6">
          <Card title="New rule">
            <RuleForm agents={agents} action={createApprovalRule} />
          </Card>
        </div>
      )}
      {rules.length === 0 ? (
        <EmptyState title="No approval rules">Every allowed call runs without waiting for a person.</EmptyState>
      ) : (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Approval rules</caption>
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              <th className="py-2">Tool</th>
              <th>Agents</th>
              <th>Which calls</th>
              <th>Time to decide</th>
              <th>Reason</th>
              <th>Status</th>
              <th>Created</th>
              {canManage && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 dark:border-slate-800">
                <td className="py-2">
                  <code>{r.toolName}</code>
                </td>
                <td>{r.agentName ?? "every agent"}</td>
                <td>
                  {r.match?.type === "param" ? (
                    <>
                      <code>{r.match.path}</code> matches <code>/{r.match.pattern}/</code>
                    </>
                  ) : r.match?.type === "egress_not_approved" ? (
                    "a URL outside approved data flows"
                  ) : (
                    "every call"
                  )}
                </td>
                <td>{r.timeoutSeconds} s</td>
                <td>{r.reason}</td>
                <td>
                  <Badge tone={r.enabled ? "green" : "gray"}>{r.enabled ? "enabled" : "disabled"}</Badge>
                </td>
                <td>
                  {fmtDate(r.createdAt)}
                  {r.createdBy ? ` by ${r.createdBy}` : ""}
                </td>
                {canManage && (
                  <td>
                    <RuleToggle id={r.id} enabled={r.enabled} label={`rule for ${r.toolName}`} action={updateApprovalRule} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
