import Link from "next/link";
import type { AgentSpend30, AlertListRow, AlertView, BudgetView, DayPoint, GatewaySpendRow, ModelSpendRow, SpendOverview } from "@/lib/spend/views";
import { ON_LIMIT_LABELS } from "@/lib/spend/schema";
import { Card, EmptyState } from "@/components/ui/Card";
import { Badge, type Tone } from "@/components/ui/Badge";
import { CardSlot } from "@/components/ui/CardSlot";
import { DataTable } from "@/components/ui/DataTable";
import { ServerTable } from "@/components/ui/ServerTable";
import { Fact } from "@/components/ui/Fact";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { BudgetBar, ThresholdScale } from "./BudgetBar";
import { BudgetForm } from "./BudgetForm";
import { SpendChart } from "./SpendChart";
import { fmtCount, fmtUsd } from "./money";

type BudgetFormProps = Parameters<typeof BudgetForm>[0];

type Breakdown = { day: string; from: string; models: ModelSpendRow[]; gateways: GatewaySpendRow[]; agents: AgentSpend30[] };
type Alerts = { rows: AlertListRow[]; total: number; page: number; pageSize: number };

/** The spend page's data, one promise per query: each card awaits only what it shows. */
export type SpendViewData = {
  canEdit: boolean;
  chartAgent: string | undefined;
  overview: Promise<SpendOverview>;
  days: Promise<DayPoint[]>;
  alerts: Promise<Alerts>;
  agentChoices: Promise<{ id: string; name: string }[]>;
  breakdown: Promise<Breakdown>;
  agentDays: Promise<DayPoint[] | null>;
  /** Days of the spend charts and the 30-day columns. */
  spendDays: number;
  setAction: BudgetFormProps["setAction"];
  deleteAction: NonNullable<BudgetFormProps["deleteAction"]>;
};

const thresholdTone = (t: number): Tone => (t >= 100 ? "red" : t >= 90 ? "red" : t >= 75 ? "amber" : "blue");

function LimitBadge({ budget }: { budget: BudgetView }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <Badge tone={budget.onLimit === "notify" ? "gray" : "red"}>{ON_LIMIT_LABELS[budget.onLimit]}</Badge>
      {!budget.enabled && <Badge tone="amber">disabled</Badge>}
    </span>
  );
}

function AlertSummary({ alert }: { alert: AlertView | null }) {
  if (!alert) return <span className="text-slate-500 dark:text-slate-400">none</span>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1 whitespace-nowrap">
      <Badge tone={thresholdTone(alert.threshold)}>{alert.threshold} %</Badge>
      <span className="text-xs text-slate-600 dark:text-slate-400">{alert.day}</span>
      {alert.containmentActionId && (
        <Link className="text-xs text-brand-600 hover:underline dark:text-brand-100" href={`/containment/${alert.containmentActionId}`}>
          containment
        </Link>
      )}
    </span>
  );
}

const hasCostDataOf = (o: SpendOverview, days: DayPoint[]) => days.some((d) => d.costUsd !== "0") || o.fleet.calls > 0 || o.fleet.modelCalls > 0;

async function FleetTodayCard({ d }: { d: SpendViewData }) {
  const o = await d.overview;
  const fleet = o.fleet;
  const { canEdit } = d;
  const setBudget = d.setAction;
  const deleteBudget = d.deleteAction;
  return (
    <Card title="Fleet today">
      <dl className="mb-4 grid grid-cols-2 gap-3 text-sm">
        <Fact label="Cost">
          <span className="text-2xl font-semibold tabular-nums">{fmtUsd(fleet.costUsd)}</span>
        </Fact>
        <Fact label="Fleet budget">{fleet.budget ? <span className="text-2xl font-semibold tabular-nums">{fmtUsd(fleet.budget.dailyUsd)}</span> : <span className="text-slate-500">none</span>}</Fact>
        <Fact label="Tool calls / model calls">
          {fmtCount(fleet.calls)} / {fmtCount(fleet.modelCalls)}
        </Fact>
        <Fact label="Tokens in / out">
          {fmtCount(fleet.tokensIn)} / {fmtCount(fleet.tokensOut)}
        </Fact>
        <Fact label="Of which models">{fmtUsd(fleet.modelCostUsd)}</Fact>
        <Fact label="Unpriced model calls">{fleet.unpricedModelCalls ? <Badge tone="amber">{fmtCount(fleet.unpricedModelCalls)} unpriced</Badge> : "none"}</Fact>
      </dl>
      {fleet.budget && fleet.percent !== null ? (
        <div className="mb-3">
          <BudgetBar percent={fleet.percent} label="Fleet spend today against the fleet budget" />
          <ThresholdScale />
          <p className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
            <LimitBadge budget={fleet.budget} /> Last alert: <AlertSummary alert={fleet.lastAlert} />
          </p>
        </div>
      ) : (
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">No fleet budget: nothing watches the fleet&apos;s total spend.</p>
      )}
      {o.unattributed && (
        <p className="mb-3 text-xs text-slate-600 dark:text-slate-400">
          Includes {fmtUsd(o.unattributed.costUsd)} from {fmtCount(o.unattributed.calls)} calls of agents not in the registry (they count for the fleet budget only).
        </p>
      )}
      {canEdit && (
        <details className="mt-2 rounded-md border border-slate-200 p-3 dark:border-slate-800" open={!fleet.budget}>
          <summary className="cursor-pointer text-sm font-medium">{fleet.budget ? "Edit the fleet budget" : "Set a fleet budget"}</summary>
          <div className="mt-3">
            <BudgetForm idPrefix="fleet" agentId={null} budget={fleet.budget} spentTodayUsd={fleet.costUsd} setAction={setBudget} deleteAction={deleteBudget} />
          </div>
        </details>
      )}
    </Card>
  );
}

async function FleetChartCard({ d }: { d: SpendViewData }) {
  const SPEND_DAYS = d.spendDays;
  const [o, days] = await Promise.all([d.overview, d.days]);
  const fleet = o.fleet;
  const hasCostData = hasCostDataOf(o, days);
  return (
    <Card title={`Fleet spend, last ${SPEND_DAYS} days`}>
      {hasCostData ? (
        <SpendChart points={days} dailyBudgetUsd={fleet.budget?.dailyUsd ?? null} />
      ) : (
        <EmptyState title="No cost data yet">
          Spend appears when gateways report their model calls (<code>POST /api/v1/connector/usage</code>: tokens, and cost when the gateway knows it; Warden prices the rest from its{" "}
          <Link className="text-brand-600 hover:underline" href="/spend/models">
            model price table
          </Link>
          ) or cost with their tool calls. You can set budgets now; they start counting as soon as data arrives.
        </EmptyState>
      )}
    </Card>
  );
}

async function AgentChartCard({ d }: { d: SpendViewData }) {
  const SPEND_DAYS = d.spendDays;
  const [o, agentDays] = await Promise.all([d.overview, d.agentDays]);
  if (!d.chartAgent || !agentDays) return null;
  const charted = o.agents.find((a) => a.agentId === d.chartAgent) ?? null;
  return (
    <div className="mt-6">
      <Card title={`${charted?.agentName ?? "Agent"}, last ${SPEND_DAYS} days`}>
        <SpendChart points={agentDays} dailyBudgetUsd={charted?.budget?.dailyUsd ?? null} who={charted?.agentName ?? "Agent"} />
        <Link className="text-xs text-brand-600 hover:underline" href="/spend">
          Hide
        </Link>
      </Card>
    </div>
  );
}

async function AgentsTable({ d }: { d: SpendViewData }) {
  const SPEND_DAYS = d.spendDays;
  const [o, days, breakdown] = await Promise.all([d.overview, d.days, d.breakdown]);
  const by30 = new Map(breakdown.agents.map((a) => [a.agentId, a]));
  const hasCostData = hasCostDataOf(o, days);
  const { canEdit } = d;
  const setBudget = d.setAction;
  const deleteBudget = d.deleteAction;
  return (
    <DataTable
      caption={`Spend per agent, UTC day ${o.day}`}
      columns={[
        { id: "agent", header: "Agent" },
        { id: "calls", header: "Calls" },
        { id: "tin", header: "Tokens in" },
        { id: "tout", header: "Tokens out" },
        { id: "cost", header: "Cost today" },
        { id: "model", header: "Models today" },
        { id: "d30", header: `${SPEND_DAYS} days` },
        { id: "budget", header: "Daily budget" },
        { id: "percent", header: "Used" },
        { id: "alert", header: "Last alert" },
        ...(canEdit ? [{ id: "edit", header: "Budget" }] : []),
      ]}
      rows={o.agents.map((r) => ({
        key: r.agentId,
        cells: {
          agent: (
            <span className="inline-flex items-center gap-1">
              <Link className="font-medium text-brand-600 hover:underline dark:text-brand-100" href={`/agents/${r.agentId}`}>
                {r.agentName}
              </Link>
              {r.agentStatus !== "active" && <Badge tone="red">{r.agentStatus}</Badge>}
            </span>
          ),
          calls: (
            <span className="tabular-nums">
              {fmtCount(r.calls)}
              {r.modelCalls ? ` + ${fmtCount(r.modelCalls)} model` : ""}
            </span>
          ),
          tin: <span className="tabular-nums">{fmtCount(r.tokensIn)}</span>,
          tout: <span className="tabular-nums">{fmtCount(r.tokensOut)}</span>,
          cost: <span className="tabular-nums">{fmtUsd(r.costUsd)}</span>,
          model: (
            <span className="inline-flex flex-wrap items-center gap-1 tabular-nums">
              {fmtUsd(r.modelCostUsd)}
              {r.unpricedModelCalls > 0 && <Badge tone="amber">{fmtCount(r.unpricedModelCalls)} unpriced</Badge>}
            </span>
          ),
          d30: (
            <span className="inline-flex flex-col tabular-nums">
              {fmtUsd(by30.get(r.agentId)?.days30Usd ?? "0")}
              <Link className="text-xs text-brand-600 hover:underline dark:text-brand-100" href={`/spend?agent=${r.agentId}`}>
                chart<span className="sr-only"> of {r.agentName}</span>
              </Link>
            </span>
          ),
          budget: r.budget ? (
            <span className="inline-flex flex-col gap-1">
              <span className="tabular-nums">{fmtUsd(r.budget.dailyUsd)}</span>
              <LimitBadge budget={r.budget} />
            </span>
          ) : (
            <span className="text-slate-500 dark:text-slate-400">none</span>
          ),
          percent: r.percent !== null ? <BudgetBar size="sm" percent={r.percent} label={`${r.agentName}: spend today against its budget`} /> : "—",
          alert: <AlertSummary alert={r.lastAlert} />,
          ...(canEdit
            ? {
                edit: (
                  <details className="min-w-[16rem]">
                    <summary className="cursor-pointer text-sm text-brand-600 dark:text-brand-100">{r.budget ? "Edit" : "Set budget"}</summary>
                    <div className="mt-2">
                      <BudgetForm idPrefix={`agent-${r.agentId}`} agentId={r.agentId} budget={r.budget} spentTodayUsd={r.costUsd} setAction={setBudget} deleteAction={deleteBudget} />
                    </div>
                  </details>
                ),
              }
            : {}),
        },
        sort: {
          agent: r.agentName,
          calls: r.calls,
          tin: r.tokensIn,
          tout: r.tokensOut,
          cost: Number(r.costUsd),
          model: Number(r.modelCostUsd),
          d30: Number(by30.get(r.agentId)?.days30Usd ?? 0),
          budget: r.budget ? Number(r.budget.dailyUsd) : -1,
          percent: r.percent ?? -1,
          alert: r.lastAlert ? `${r.lastAlert.day}-${String(r.lastAlert.threshold).padStart(3, "0")}` : "",
        },
      }))}
      empty={
        <EmptyState title="No agent spent anything today, and no agent has a budget">
          {hasCostData ? "Calls with cost data will list their agents here." : "Cost data arrives with tool calls from gateways that report usage."}
          {canEdit ? " Set a budget for an agent below." : ""}
        </EmptyState>
      }
    />
  );
}

async function ModelsTable({ d }: { d: SpendViewData }) {
  const SPEND_DAYS = d.spendDays;
  const breakdown = await d.breakdown;
  return (
    <>
      <DataTable
        caption={`Model spend per provider and model, today (UTC day ${breakdown.day}) and over ${SPEND_DAYS} days`}
        columns={[
          { id: "model", header: "Provider / model" },
          { id: "calls", header: "Calls today" },
          { id: "tokens", header: "Tokens today" },
          { id: "today", header: "Cost today" },
          { id: "d30", header: `Cost, ${SPEND_DAYS} days` },
        ]}
        rows={breakdown.models.map((m) => ({
          key: `${m.provider}/${m.model}`,
          cells: {
            model: (
              <code>
                {m.provider}/{m.model}
              </code>
            ),
            calls: <span className="tabular-nums">{fmtCount(m.todayCalls)}</span>,
            tokens: <span className="tabular-nums">{fmtCount(m.tokensToday)}</span>,
            today: (
              <span className="inline-flex flex-wrap items-center gap-1 tabular-nums">
                {fmtUsd(m.todayUsd)}
                {m.unpricedToday > 0 && <Badge tone="amber">{fmtCount(m.unpricedToday)} unpriced</Badge>}
              </span>
            ),
            d30: (
              <span className="inline-flex flex-wrap items-center gap-1 tabular-nums">
                {fmtUsd(m.days30Usd)}
                {m.unpriced30 > 0 && <Badge tone="amber">{fmtCount(m.unpriced30)} unpriced</Badge>}
              </span>
            ),
          },
          sort: { model: `${m.provider}/${m.model}`, calls: m.todayCalls, tokens: m.tokensToday, today: Number(m.todayUsd), d30: Number(m.days30Usd) },
        }))}
        empty={
          <EmptyState title="No model calls reported">
            Gateways report model calls through <code>POST /api/v1/connector/usage</code>.{" "}
            <Link className="text-brand-600 hover:underline" href="/spend/models">
              Model prices & policy
            </Link>
          </EmptyState>
        }
      />
      <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
        Unpriced calls have no price in the{" "}
        <Link className="text-brand-600 hover:underline dark:text-brand-100" href="/spend/models">
          model price table
        </Link>{" "}
        and count $0 until one is added (for calls arriving afterwards).
      </p>
    </>
  );
}

async function GatewaysTable({ d }: { d: SpendViewData }) {
  const SPEND_DAYS = d.spendDays;
  const breakdown = await d.breakdown;
  return (
    <DataTable
      caption={`Spend per gateway (tool calls and model calls), today and over ${SPEND_DAYS} days`}
      columns={[
        { id: "gateway", header: "Gateway" },
        { id: "tool", header: "Tool calls today" },
        { id: "model", header: "Models today" },
        { id: "today", header: "Cost today" },
        { id: "d30", header: `Cost, ${SPEND_DAYS} days` },
      ]}
      rows={breakdown.gateways.map((g) => ({
        key: g.gatewayId,
        cells: {
          gateway: g.gatewayName ? (
            <Link className="font-medium text-brand-600 hover:underline dark:text-brand-100" href={`/gateways/${g.gatewayId}`}>
              {g.gatewayName}
            </Link>
          ) : (
            <span>
              {g.gatewayId} <Badge>deleted</Badge>
            </span>
          ),
          tool: <span className="tabular-nums">{fmtUsd(g.toolTodayUsd)}</span>,
          model: <span className="tabular-nums">{fmtUsd(g.modelTodayUsd)}</span>,
          today: <span className="tabular-nums">{fmtUsd(g.todayUsd)}</span>,
          d30: <span className="tabular-nums">{fmtUsd(g.days30Usd)}</span>,
        },
        sort: { gateway: g.gatewayName ?? g.gatewayId, tool: Number(g.toolTodayUsd), model: Number(g.modelTodayUsd), today: Number(g.todayUsd), d30: Number(g.days30Usd) },
      }))}
      empty={<EmptyState title="No gateway spent anything in the last 30 days">Cost arrives with model calls and tool calls.</EmptyState>}
    />
  );
}

async function SetBudgetCard({ d }: { d: SpendViewData }) {
  const [o, agentChoices] = await Promise.all([d.overview, d.agentChoices]);
  const withoutBudget = agentChoices.filter((a) => !o.agents.some((r) => r.agentId === a.id && r.budget));
  const setBudget = d.setAction;
  return (
    <Card title="Set a budget for an agent">
      {withoutBudget.length ? (
        <BudgetForm idPrefix="new" agents={withoutBudget} setAction={setBudget} />
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">Every agent in the registry has a budget. Edit one in the table above.</p>
      )}
    </Card>
  );
}

async function AlertsTable({ d }: { d: SpendViewData }) {
  const alerts = await d.alerts;
  return (
    <ServerTable
      search={false}
      caption="Budget alerts, newest first"
      columns={[
        { id: "at", header: "Fired" },
        { id: "budget", header: "Budget" },
        { id: "day", header: "Day" },
        { id: "threshold", header: "Threshold" },
        { id: "spent", header: "Spent then", className: "text-right tabular-nums" },
        { id: "containment", header: "Containment" },
      ]}
      rows={alerts.rows.map((a) => ({
        key: a.id,
        cells: {
          at: <RelativeTime at={a.firedAt} />,
          budget: a.agentId ? (
            <Link className="text-brand-600 hover:underline dark:text-brand-100" href={`/agents/${a.agentId}`}>
              {a.agentName ?? a.agentId}
            </Link>
          ) : (
            <Badge tone="blue">fleet</Badge>
          ),
          day: a.day,
          threshold: <Badge tone={thresholdTone(a.threshold)}>{a.threshold} %</Badge>,
          spent: fmtUsd(a.spentUsd),
          containment: a.containmentActionId ? (
            <Link className="text-brand-600 hover:underline dark:text-brand-100" href={`/containment/${a.containmentActionId}`}>
              View containment
            </Link>
          ) : a.threshold === 100 ? (
            <span className="text-slate-500 dark:text-slate-400">none (notify only, or failed — see the audit trail)</span>
          ) : (
            "—"
          ),
        },
      }))}
      total={alerts.total}
      page={alerts.page}
      pageSize={alerts.pageSize}
      empty={<EmptyState title="No budget alerts yet">Alerts appear here when a budget reaches 50, 75, 90 or 100 % of its daily amount.</EmptyState>}
    />
  );
}

/** The page's description: today's UTC day, known without a query. */
export function spendDescription(day: string): string {
  return `What the fleet spends today (UTC day ${day}) — tool calls and model calls — and the circuit breaker: daily budgets per agent and for the fleet fire alerts at 50, 75, 90 and 100 % — once each per day — and at 100 % can suspend the agent or block the fleet.`;
}

/**
 * Spend and budgets. Each card and table streams in on its own (a skeleton until its queries
 * answer) and fails on its own, so a slow 30-day chart never holds today's figures.
 */
export function SpendView({ d }: { d: SpendViewData }) {
  const SPEND_DAYS = d.spendDays;
  return (
    <>
      <div className="mb-6 grid gap-6 xl:grid-cols-3">
        <CardSlot title="Fleet today" lines={6}>
          <FleetTodayCard d={d} />
        </CardSlot>
        <div className="xl:col-span-2">
          <CardSlot title={`Fleet spend, last ${SPEND_DAYS} days`} lines={8}>
            <FleetChartCard d={d} />
          </CardSlot>
          {d.chartAgent && (
            <CardSlot title="Agent spend" lines={6}>
              <AgentChartCard d={d} />
            </CardSlot>
          )}
        </div>
      </div>

      <h2 className="mb-3 text-lg font-semibold">Agents today</h2>
      <CardSlot title="Spend per agent" lines={5}>
        <AgentsTable d={d} />
      </CardSlot>

      <h2 className="mb-3 mt-8 text-lg font-semibold">Models</h2>
      <CardSlot title="Model spend" lines={4}>
        <ModelsTable d={d} />
      </CardSlot>

      <h2 className="mb-3 mt-8 text-lg font-semibold">Gateways</h2>
      <CardSlot title="Spend per gateway" lines={4}>
        <GatewaysTable d={d} />
      </CardSlot>

      {d.canEdit && (
        <div className="mt-6 max-w-2xl">
          <CardSlot title="Set a budget for an agent" lines={3}>
            <SetBudgetCard d={d} />
          </CardSlot>
        </div>
      )}

      <h2 className="mb-3 mt-8 text-lg font-semibold">Alert history</h2>
      <CardSlot title="Budget alerts" lines={4}>
        <AlertsTable d={d} />
      </CardSlot>
    </>
  );
}
