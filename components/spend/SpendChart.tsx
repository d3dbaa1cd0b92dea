"use client";
import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from "recharts";
import { fmtCount, fmtUsd } from "./money";

/** One UTC day of fleet usage; costUsd is an exact decimal string. */
export type SpendPoint = { day: string; calls: number; tokensIn: number; tokensOut: number; costUsd: string };

const COST_COLOR = "#2f6fed"; // brand-500: readable on white and on slate-900
const BUDGET_COLOR = "#ef4444"; // red-500

function ChartTooltip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as SpendPoint | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium">{p.day} (UTC)</p>
      <p>{fmtUsd(p.costUsd)}</p>
      <p>{fmtCount(p.calls)} calls · {fmtCount(p.tokensIn)} tokens in · {fmtCount(p.tokensOut)} out</p>
    </div>
  );
}

/** Fleet cost per UTC day, with the fleet's daily budget as a line when there is one. */
export function SpendChart({ points, dailyBudgetUsd }: { points: SpendPoint[]; dailyBudgetUsd: string | null }) {
  // Numbers only for drawing; every figure shown as text comes from the exact strings.
  const data = points.map((p) => ({ ...p, cost: Number(p.costUsd) }));
  const budget = dailyBudgetUsd ? Number(dailyBudgetUsd) : null;
  const peak = points.reduce<SpendPoint | null>((best, p) => (!best || Number(p.costUsd) > Number(best.costUsd) ? p : best), null);
  const summary = `Fleet spend per UTC day, ${points[0]?.day ?? ""} to ${points.at(-1)?.day ?? ""}: ${points.map((p) => `${p.day.slice(5)} ${fmtUsd(p.costUsd)}`).join(", ")}${peak ? `; highest ${fmtUsd(peak.costUsd)} on ${peak.day}` : ""}${dailyBudgetUsd ? `; daily fleet budget ${fmtUsd(dailyBudgetUsd)}` : ""}.`;
  const top = Math.max(budget ?? 0, ...data.map((d) => d.cost));
  return (
    <figure className="text-slate-600 dark:text-slate-400">
      <div role="img" aria-label={summary} className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="day" tickFormatter={(v: string) => v.slice(5)} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} />
            <YAxis domain={[0, top > 0 ? Math.ceil(top * 1.1 * 100) / 100 : 1]} tickFormatter={(v: number) => `$${v.toLocaleString("en", { maximumFractionDigits: 2 })}`} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} width={64} />
            <Tooltip content={ChartTooltip} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
            <Bar dataKey="cost" name="cost" fill={COST_COLOR} isAnimationActive={false} />
            {budget !== null && <ReferenceLine y={budget} stroke={BUDGET_COLOR} strokeDasharray="4 4" label={{ value: "fleet budget", fill: BUDGET_COLOR, fontSize: 11, position: "insideTopRight" }} />}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs">{summary}</figcaption>
    </figure>
  );
}
