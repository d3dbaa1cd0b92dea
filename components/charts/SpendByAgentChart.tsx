"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from "recharts";
import type { AgentSpendPoint } from "@/lib/overview/types";

const TODAY_COLOR = "#2f6fed"; // brand-500
const WEEK_COLOR = "#94a3b8"; // slate-400: readable on white and on slate-900

const usd = (v: number) => `$${v.toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function ChartTooltip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as AgentSpendPoint | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium">{p.agentName}</p>
      <p>Today: {usd(p.todayUsd)}</p>
      <p>7 days: {usd(p.weekUsd)}</p>
    </div>
  );
}

/** Spend per agent (the top spenders of the last 7 UTC days): today beside the 7-day total. */
export function SpendByAgentChart({ points, others }: { points: AgentSpendPoint[]; others: number }) {
  const today = points.reduce((a, p) => a + p.todayUsd, 0);
  const week = points.reduce((a, p) => a + p.weekUsd, 0);
  const top = points[0];
  const summary = `${points.length} agent${points.length === 1 ? "" : "s"} shown, ${usd(today)} today and ${usd(week)} over 7 days${top ? `; ${top.agentName} spent most (${usd(top.weekUsd)})` : ""}${others ? `; ${others} more agent${others === 1 ? "" : "s"} not shown` : ""}.`;
  return (
    <figure className="text-slate-600 dark:text-slate-400">
      <div role="img" aria-label={summary} className="w-full" style={{ height: Math.max(160, 36 * points.length + 60) }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }} barCategoryGap={6}>
            <CartesianGrid horizontal={false} stroke="currentColor" strokeOpacity={0.15} />
            <XAxis type="number" tickFormatter={(v: number) => `$${v.toLocaleString("en")}`} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} />
            <YAxis
              type="category"
              dataKey="agentName"
              width={120}
              tick={{ fill: "currentColor", fontSize: 11 }}
              stroke="currentColor"
              strokeOpacity={0.3}
              tickFormatter={(v: string) => (v.length > 18 ? `${v.slice(0, 17)}…` : v)}
            />
            <Tooltip content={ChartTooltip} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="todayUsd" name="today" fill={TODAY_COLOR} isAnimationActive={false} />
            <Bar dataKey="weekUsd" name="7 days" fill={WEEK_COLOR} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs">{summary}</figcaption>
    </figure>
  );
}
