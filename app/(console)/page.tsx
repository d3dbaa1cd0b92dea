import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { getOverviewDashboard } from "@/lib/overview/queries";
import { StatTile } from "@/components/overview/StatTile";
import { CallsOverTimeChart } from "@/components/charts/CallsOverTimeChart";
import { SpendByAgentChart } from "@/components/charts/SpendByAgentChart";
import { ReviewThroughputChart } from "@/components/charts/ReviewThroughputChart";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";

export const metadata: Metadata = { title: "Overview" };

const SECTIONS: { title: string; ids: string[] }[] = [
  { title: "Reviews", ids: ["pending_reviews", "overdue_rereviews", "vendor_audits"] },
  { title: "Tool calls", ids: ["unapproved_24h", "blocked_24h", "blocked_7d"] },
  { title: "Response", ids: ["containment", "escalations", "incidents", "drills"] },
  { title: "Fleet", ids: ["agents", "spend", "gateways_stale"] },
];

export default async function OverviewPage() {
  // Every role reads the dashboard, managers included: it shows counts only, never tool-call parameters.
  await requireScope("dashboard:read");
  const o = await getOverviewDashboard();
  const tiles = new Map(o.tiles.map((t) => [t.id, t]));
  const calls30d = o.charts.daily.reduce((n, d) => n + d.allowed + d.blocked, 0);
  const decisions = o.charts.reviewThroughput.reduce((n, w) => n + w.approved + w.conditional + w.rejected + w.filed, 0);
  return (
    <>
      <PageHeader
        title="Overview"
        description="What waits for a decision, what was blocked, and what needs attention across the fleet. Each number opens the list behind it."
        actions={
          <Link href="/posture" className="text-sm font-medium text-brand-700 underline dark:text-brand-100">
            Twelve-domain posture →
          </Link>
        }
      />
      <div className="space-y-6">
        {SECTIONS.map((s) => (
          <section key={s.title} aria-labelledby={`sec-${s.title}`}>
            <h2 id={`sec-${s.title}`} className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
              {s.title}
            </h2>
            <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
              {s.ids.map((id) => {
                const t = tiles.get(id);
                return t ? <StatTile key={id} tile={t} /> : null;
              })}
            </div>
          </section>
        ))}
      </div>

      <div className="mt-8 grid gap-4 xl:grid-cols-2">
        <Card title="Tool calls and blocks" actions={<Link href="/tool-calls" className="text-sm text-brand-700 underline dark:text-brand-100">Tool-call log</Link>}>
          {calls30d === 0 ? (
            <EmptyState title="No tool calls yet">Calls appear here once a gateway&apos;s connector sends telemetry. See Gateways to connect one.</EmptyState>
          ) : (
            <CallsOverTimeChart hourly={o.charts.hourly} daily={o.charts.daily} />
          )}
        </Card>
        <Card title="Spend per agent" actions={<Link href="/spend" className="text-sm text-brand-700 underline dark:text-brand-100">Spend and budgets</Link>}>
          {o.charts.spendByAgent.length === 0 ? (
            <EmptyState title="No spend reported in the last 7 days">Costs appear when gateways report tokens and cost per tool call.</EmptyState>
          ) : (
            <SpendByAgentChart points={o.charts.spendByAgent} others={o.charts.spendOtherAgents} />
          )}
        </Card>
        <Card title="Review throughput (12 weeks)" actions={<Link href="/tools?review=pending" className="text-sm text-brand-700 underline dark:text-brand-100">Review queue</Link>}>
          {decisions === 0 ? (
            <EmptyState title="No reviews in the last 12 weeks">Trust decisions and tool requests per week appear here.</EmptyState>
          ) : (
            <ReviewThroughputChart weeks={o.charts.reviewThroughput} />
          )}
        </Card>
        <Card title="Findings and audit">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {o.findingsOpen.toLocaleString("en")} open finding{o.findingsOpen === 1 ? "" : "s"} from telemetry and gateway audits.{" "}
            <Link href="/findings?status=open" className="text-brand-700 underline dark:text-brand-100">Open findings →</Link>
          </p>
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
            Every change in Warden is in the hash-chained audit trail. <Link href="/audit" className="text-brand-700 underline dark:text-brand-100">Audit trail →</Link>
          </p>
          <p className="mt-3 text-xs text-slate-500">Figures as of {fmtDate(o.generatedAt)}; call counts are whole UTC hours.</p>
        </Card>
      </div>
    </>
  );
}
