import Link from "next/link";
import { Suspense } from "react";
import type { AgentSpendPoint, DayPoint, HourPoint, OverviewTile, WeekPoint } from "@/lib/overview/types";
import { StatTile } from "@/components/overview/StatTile";
import { CallsOverTimeChart } from "@/components/charts/CallsOverTimeChart";
import { SpendByAgentChart } from "@/components/charts/SpendByAgentChart";
import { ReviewThroughputChart } from "@/components/charts/ReviewThroughputChart";
import { Card, EmptyState } from "@/components/ui/Card";
import { CardBoundary } from "@/components/ui/CardBoundary";
import { CardSlot } from "@/components/ui/CardSlot";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { fmtCount } from "@/components/ui/format";

/** The promises of the overview's cards (lib/overview/cards.ts): each card awaits its own. */
export type OverviewCardData = {
  generatedAt: string;
  tiles: { reviews: Promise<OverviewTile[]>; calls: Promise<OverviewTile[]>; response: Promise<OverviewTile[]>; fleet: Promise<OverviewTile[]> };
  callsChart: Promise<{ hourly: HourPoint[]; daily: DayPoint[] }>;
  spendChart: Promise<{ points: AgentSpendPoint[]; others: number }>;
  throughput: Promise<WeekPoint[]>;
  findingsOpen: Promise<number>;
};

const SECTIONS = [
  { key: "reviews", title: "Reviews", count: 3 },
  { key: "calls", title: "Tool calls", count: 3 },
  { key: "response", title: "Response", count: 4 },
  { key: "fleet", title: "Fleet", count: 3 },
] as const;

const GRID = "grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4";
const LINK = "text-sm text-brand-700 underline dark:text-brand-100";

async function Tiles({ tiles }: { tiles: Promise<OverviewTile[]> }) {
  return (
    <div className={GRID}>
      {(await tiles).map((t) => (
        <StatTile key={t.id} tile={t} />
      ))}
    </div>
  );
}

function TilesSkeleton({ count }: { count: number }) {
  return (
    <div className={GRID} aria-busy="true" data-card-skeleton>
      <span className="sr-only">Loading…</span>
      {Array.from({ length: count }, (_, i) => (
        <div key={i} aria-hidden className="h-[6.5rem] animate-pulse rounded-xl border border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-800/50" />
      ))}
    </div>
  );
}

async function CallsCard({ data }: { data: OverviewCardData["callsChart"] }) {
  const { hourly, daily } = await data;
  const total = daily.reduce((n, d) => n + d.allowed + d.blocked, 0);
  return (
    <Card
      title="Tool calls and blocks"
      actions={
        <Link href="/tool-calls" className={LINK}>
          Tool-call log
        </Link>
      }
    >
      {total === 0 ? (
        <EmptyState title="No tool calls yet">Calls appear here once a gateway&apos;s connector sends telemetry. See Gateways to connect one.</EmptyState>
      ) : (
        <CallsOverTimeChart hourly={hourly} daily={daily} />
      )}
    </Card>
  );
}

async function SpendCard({ data }: { data: OverviewCardData["spendChart"] }) {
  const { points, others } = await data;
  return (
    <Card
      title="Spend per agent"
      actions={
        <Link href="/spend" className={LINK}>
          Spend and budgets
        </Link>
      }
    >
      {points.length === 0 ? (
        <EmptyState title="No spend reported in the last 7 days">Costs appear when gateways report tokens and cost per tool call.</EmptyState>
      ) : (
        <SpendByAgentChart points={points} others={others} />
      )}
    </Card>
  );
}

async function ThroughputCard({ data }: { data: OverviewCardData["throughput"] }) {
  const weeks = await data;
  const decisions = weeks.reduce((n, w) => n + w.approved + w.conditional + w.rejected + w.filed, 0);
  return (
    <Card
      title="Review throughput (12 weeks)"
      actions={
        <Link href="/tools?review=pending" className={LINK}>
          Review queue
        </Link>
      }
    >
      {decisions === 0 ? <EmptyState title="No reviews in the last 12 weeks">Trust decisions and tool requests per week appear here.</EmptyState> : <ReviewThroughputChart weeks={weeks} />}
    </Card>
  );
}

async function FindingsCard({ data, generatedAt }: { data: OverviewCardData["findingsOpen"]; generatedAt: string }) {
  const open = await data;
  return (
    <Card title="Findings and audit">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {fmtCount(open)} open finding{open === 1 ? "" : "s"} from telemetry and gateway audits.{" "}
        <Link href="/findings?status=open" className="text-brand-700 underline dark:text-brand-100">
          Open findings →
        </Link>
      </p>
      <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
        Every change in Warden is in the hash-chained audit trail.{" "}
        <Link href="/audit" className="text-brand-700 underline dark:text-brand-100">
          Audit trail →
        </Link>
      </p>
      <p className="mt-3 text-xs text-slate-500">
        Figures as of <RelativeTime at={generatedAt} />; call counts are whole UTC hours.
      </p>
    </Card>
  );
}

/**
 * The overview dashboard. Every section and card streams in on its own (a skeleton until its
 * queries answer) and fails on its own (an error in its place, the rest of the page intact).
 */
export function OverviewView({ cards }: { cards: OverviewCardData }) {
  return (
    <>
      <div className="space-y-6">
        {SECTIONS.map((s) => (
          <section key={s.key} aria-labelledby={`sec-${s.title}`} data-card={`tiles-${s.key}`}>
            <h2 id={`sec-${s.title}`} className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
              {s.title}
            </h2>
            <CardBoundary title={`${s.title} figures`}>
              <Suspense fallback={<TilesSkeleton count={s.count} />}>
                <Tiles tiles={cards.tiles[s.key]} />
              </Suspense>
            </CardBoundary>
          </section>
        ))}
      </div>
      <div className="mt-8 grid gap-4 xl:grid-cols-2">
        <CardSlot title="Tool calls and blocks" lines={6}>
          <CallsCard data={cards.callsChart} />
        </CardSlot>
        <CardSlot title="Spend per agent" lines={6}>
          <SpendCard data={cards.spendChart} />
        </CardSlot>
        <CardSlot title="Review throughput (12 weeks)" lines={6}>
          <ThroughputCard data={cards.throughput} />
        </CardSlot>
        <CardSlot title="Findings and audit" lines={3}>
          <FindingsCard data={cards.findingsOpen} generatedAt={cards.generatedAt} />
        </CardSlot>
      </div>
    </>
  );
}
