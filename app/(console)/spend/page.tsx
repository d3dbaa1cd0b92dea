import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getSpendOverview, listAgentChoices, listBudgetAlerts, usageByDay, type AlertView, type BudgetView } from "@/lib/spend/queries";
import { ON_LIMIT_LABELS } from "@/lib/spend/schema";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { Badge, type Tone } from "@/components/ui/Badge";
import { DataTable } from "@/components/ui/DataTable";
import { ServerTable } from "@/components/ui/ServerTable";
import { Fact } from "@/components/ui/Fact";
import { fmtDate } from "@/components/ui/format";
import { BudgetBar, ThresholdScale } from "@/components/spend/BudgetBar";
import { BudgetForm } from "@/components/spend/BudgetForm";
import { SpendChart } from "@/components/spend/SpendChart";
import { fmtCount, fmtUsd } from "@/components/spend/money";
import { getSpendBreakdown, SPEND_DAYS } from "@/lib/model-usage/queries";
import { deleteBudget, setBudget } from "./actions";

export const metadata: Metadata = { title: "Spend & budgets" };

const ALERTS_PAGE_SIZE = 20;
const ZPage = z.coerce.number().int().min(1).max(100_000).catch(1);
const ZAgent = z.uuid().optional().catch(undefined);

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
      {alert.containmentActionId && <Link className="text-xs text-brand-600 hover:underline dark:text-brand-100" href={`/containment/${alert.containmentActionId}`}>containment</Link>}
    </span>
  );
}

export default async function SpendPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("dashboard:read");
  const canEdit = can(actor.role, "budgets:manage");
  const sp = await searchParams;
  const page = ZPage.parse(Array.isArray(sp.page) ? sp.page[0] : sp.page);
  const chartAgent = ZAgent.parse(Array.isArray(sp.agent) ? sp.agent[0] : sp.agent);

  const [o, days, alerts, agentChoices, breakdown, agentDays] = await Promise.all([
    getSpendOverview(),
    usageByDay({ days: SPEND_DAYS }),
    listBudgetAlerts({ page, pageSize: ALERTS_PAGE_SIZE }),
    canEdit ? listAgentChoices() : Promise.resolve([]),
    getSpendBreakdown(),
    chartAgent ? usageByDay({ days: SPEND_DAYS, agentId: chartAgent }) : Promise.resolve(null),
  ]);
  const hasCostData = days.some((d) => d.costUsd !== "0") || o.fleet.calls > 0 || o.fleet.modelCalls > 0;
  const by30 = new Map(breakdown.agents.map((a) => [a.agentId, a]));
  const charted = chartAgent ? (o.agents.find((a) => a.agentId === chartAgent) ?? null) : null;
  const fleet = o.fleet;
  const withoutBudget = agentChoices.filter((a) => !o.agents.some((r) => r.agentId === a.id && r.budget));

  return (
    <>
      <PageHeader
        title="Spend & budgets"
        actions={<Link href="/spend/models" className="text-sm text-brand-600 hover:underline">Model prices & policy</Link>}
        description={`What the fleet spends today (UTC day ${o.day}) — tool calls and model calls — and the circuit breaker: daily budgets per agent and for the fleet fire alerts at 50, 75, 90 and 100 % — once each per day — and at 100 % can suspend the agent or block the fleet.`}
      />

      <div className="mb-6 grid gap-6 xl:grid-cols-3">
        <Card title="Fleet today">
          <dl className="mb-4 grid grid-cols-2 gap-3 text-sm">
            <Fact label="Cost"><span className="text-2xl font-semibold tabular-nums">{fmtUsd(fleet.costUsd)}</span></Fact>
            <Fact label="Fleet budget">{fleet.budget ? <span className="text-2xl font-semibold tabular-nums">{fmtUsd(fleet.budget.dailyUsd)}</span> : <span className="text-slate-500">none</span>}</Fact>
            <Fact label="Tool calls / model calls">{fmtCount(fleet.calls)} / {fmtCount(fleet.modelCalls)}</Fact>
            <Fact label="Tokens in / out">{fmtCount(fleet.tokensIn)} / {fmtCount(fleet.tokensOut)}</Fact>
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

        <div className="xl:col-span-2">
          <Card title={`Fleet spend, last ${SPEND_DAYS} days`}>
            {hasCostData ? (
              <SpendChart points={days} dailyBudgetUsd={fleet.budget?.dailyUsd ?? null} />
            ) : (
              <EmptyState title="No cost data yet">
                Spend appears when gateways report their model calls (<code>POST /api/v1/connector/usage</code>: tokens, and cost when the gateway knows it; Warden prices the rest from its <Link className="text-brand-600 hover:underline" href="/spend/models">model price table</Link>) or cost with their tool calls. You can set budgets now; they start counting as soon as data arrives.
              </EmptyState>
            )}
          </Card>
          {chartAgent && agentDays && (
            <div className="mt-6">
              <Card title={`${charted?.agentName ?? "Agent"}, last ${SPEND_DAYS} days`}>
                <SpendChart points={agentDays} dailyBudgetUsd={charted?.budget?.dailyUsd ?? null} who={charted?.agentName ?? "Agent"} />
                <Link className="text-xs text-brand-600 hover:underline" href="/spend">Hide</Link>
              </Card>
            </div>
          )}
        </div>
      </div>

      <h2 className="mb-3 text-lg font-semibold">Agents today</h2>
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
                <Link className="font-medium text-brand-600 hover:underline dark:text-brand-100" href={`/agents/${r.agentId}`}>{r.agentName}</Link>
                {r.agentStatus !== "active" && <Badge tone="red">{r.agentStatus}</Badge>}
              </span>
            ),
            calls: <span className="tabular-nums">{fmtCount(r.calls)}{r.modelCalls ? ` + ${fmtCount(r.modelCalls)} model` : ""}</span>,
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
                <Link className="text-xs text-brand-600 hover:underline dark:text-brand-100" href={`/spend?agent=${r.agentId}`}>chart<span className="sr-only"> of {r.agentName}</span></Link>
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
            ...(canEdit ? { edit: (
              <details className="min-w-[16rem]">
                <summary className="cursor-pointer text-sm text-brand-600 dark:text-brand-100">{r.budget ? "Edit" : "Set budget"}</summary>
                <div className="mt-2">
                  <BudgetForm idPrefix={`agent-${r.agentId}`} agentId={r.agentId} budget={r.budget} spentTodayUsd={r.costUsd} setAction={setBudget} deleteAction={deleteBudget} />
                </div>
              </details>
            ) } : {}),
          },
          sort: { agent: r.agentName, calls: r.calls, tin: r.tokensIn, tout: r.tokensOut, cost: Number(r.costUsd), model: Number(r.modelCostUsd), d30: Number(by30.get(r.agentId)?.days30Usd ?? 0), budget: r.budget ? Number(r.budget.dailyUsd) : -1, percent: r.percent ?? -1, alert: r.lastAlert ? `${r.lastAlert.day}-${String(r.lastAlert.threshold).padStart(3, "0")}` : "" },
        }))}
        empty={
          <EmptyState title="No agent spent anything today, and no agent has a budget">
            {hasCostData ? "Calls with cost data will list their agents here." : "Cost data arrives with tool calls from gateways that report usage."}
            {canEdit ? " Set a budget for an agent below." : ""}
          </EmptyState>
        }
      />

      <h2 className="mb-3 mt-8 text-lg font-semibold">Models</h2>
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
            model: <code>{m.provider}/{m.model}</code>,
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
        empty={<EmptyState title="No model calls reported">Gateways report model calls through <code>POST /api/v1/connector/usage</code>. <Link className="text-brand-600 hover:underline" href="/spend/models">Model prices & policy</Link></EmptyState>}
      />
      <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
        Unpriced calls have no price in the <Link className="text-brand-600 hover:underline dark:text-brand-100" href="/spend/models">model price table</Link> and count $0 until one is added (for calls arriving afterwards).
      </p>

      <h2 className="mb-3 mt-8 text-lg font-semibold">Gateways</h2>
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
            gateway: g.gatewayName ? <Link className="font-medium text-brand-600 hover:underline dark:text-brand-100" href={`/gateways/${g.gatewayId}`}>{g.gatewayName}</Link> : <span>{g.gatewayId} <Badge>deleted</Badge></span>,
            tool: <span className="tabular-nums">{fmtUsd(g.toolTodayUsd)}</span>,
            model: <span className="tabular-nums">{fmtUsd(g.modelTodayUsd)}</span>,
            today: <span className="tabular-nums">{fmtUsd(g.todayUsd)}</span>,
            d30: <span className="tabular-nums">{fmtUsd(g.days30Usd)}</span>,
          },
          sort: { gateway: g.gatewayName ?? g.gatewayId, tool: Number(g.toolTodayUsd), model: Number(g.modelTodayUsd), today: Number(g.todayUsd), d30: Number(g.days30Usd) },
        }))}
        empty={<EmptyState title="No gateway spent anything in the last 30 days">Cost arrives with model calls and tool calls.</EmptyState>}
      />

      {canEdit && (
        <div className="mt-6 max-w-2xl">
          <Card title="Set a budget for an agent">
            {withoutBudget.length ? (
              <BudgetForm idPrefix="new" agents={withoutBudget} setAction={setBudget} />
            ) : (
              <p className="text-sm text-slate-600 dark:text-slate-400">Every agent in the registry has a budget. Edit one in the table above.</p>
            )}
          </Card>
        </div>
      )}

      <h2 className="mb-3 mt-8 text-lg font-semibold">Alert history</h2>
      <ServerTable
        search={false}
        caption="Budget alerts, newest first"
        columns={[
          { id: "at", header: "Fired (UTC)" },
          { id: "budget", header: "Budget" },
          { id: "day", header: "Day" },
          { id: "threshold", header: "Threshold" },
          { id: "spent", header: "Spent then", className: "text-right tabular-nums" },
          { id: "containment", header: "Containment" },
        ]}
        rows={alerts.rows.map((a) => ({
          key: a.id,
          cells: {
            at: fmtDate(a.firedAt),
            budget: a.agentId ? <Link className="text-brand-600 hover:underline dark:text-brand-100" href={`/agents/${a.agentId}`}>{a.agentName ?? a.agentId}</Link> : <Badge tone="blue">fleet</Badge>,
            day: a.day,
            threshold: <Badge tone={thresholdTone(a.threshold)}>{a.threshold} %</Badge>,
            spent: fmtUsd(a.spentUsd),
            containment: a.containmentActionId ? <Link className="text-brand-600 hover:underline dark:text-brand-100" href={`/containment/${a.containmentActionId}`}>View containment</Link> : a.threshold === 100 ? <span className="text-slate-500 dark:text-slate-400">none (notify only, or failed — see the audit trail)</span> : "—",
          },
        }))}
        total={alerts.total}
        page={alerts.page}
        pageSize={alerts.pageSize}
        empty={<EmptyState title="No budget alerts yet">Alerts appear here when a budget reaches 50, 75, 90 or 100 % of its daily amount.</EmptyState>}
      />
    </>
  );
}
