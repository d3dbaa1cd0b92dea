import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { getOverview } from "@/lib/fleet/queries";
import { Stat } from "@/components/fleet/Stat";
import { PageHeader, Card } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  await requireScope("dashboard:read");
  const o = await getOverview();
  return (
    <>
      <PageHeader title="Overview" description="The state of your agent fleet: what waits for a decision, what was blocked, and what needs attention." />
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Pending tool reviews" value={o.pendingReviews} href="/tools?review=pending" tone={o.pendingReviews ? "warn" : "default"} />
        <Stat label="Overdue re-reviews" value={o.overdueReviews} href="/tools?review=overdue" tone={o.overdueReviews ? "bad" : "default"} hint="Approvals past their 90-day re-review date" />
        <Stat label="Integrations due or flagged" value={o.integrationsDue} href="/integrations" tone={o.integrationsDue ? "warn" : "default"} />
        <Stat label="Open findings" value={o.openFindings} href="/findings" tone={o.openFindings ? "bad" : "default"} />
        <Stat label="Blocked calls (24 h)" value={o.blocked24h} href="/tool-calls" tone={o.blocked24h ? "warn" : "default"} />
        <Stat label="Blocked calls (7 d)" value={o.blocked7d} href="/tool-calls" hint={`of ${o.calls7d.toLocaleString("en")} tool calls`} />
        <Stat label="Agents" value={o.agents} href="/agents" hint={`on ${o.gateways} gateways`} />
        <Stat label="Tools known" value={o.tools} href="/tools" />
      </div>
      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <Card title="Audit trail">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {o.auditEvents.toLocaleString("en")} events, hash-chained. Every change in Warden is recorded with who, when, and what changed.
          </p>
          <a href="/audit" className="mt-3 inline-block text-sm text-brand-600 hover:underline">Open the audit trail →</a>
        </Card>
        <Card title="Coming next">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Charts for calls and blocks over time, spend against budget, active containment and drills due will appear here as the
            gateway, containment and evidence capabilities land. {o.playbooks} playbook(s) are on file.
          </p>
        </Card>
      </div>
    </>
  );
}
