"use client";
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from "recharts";
import { fmtCount, fmtUsd } from "./money";

/** One UTC day of usage; costUsd (tool calls + model calls) is an exact decimal string, with its two parts when known. */
export type SpendPoint = { day: string; calls: number; tokensIn: number; tokensOut: number; costUsd: string; toolCostUsd?: string; modelCostUsd?: string; modelCalls?: number };

const COST_COLOR = "#2f6fed"; // brand-500: readable on white and on slate-900
const MODEL_COLOR = "#0d9488"; // teal-600
const BUDGET_COLOR = "#ef4444"; // red-500

function ChartTooltip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as SpendPoint | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium">{p.day} (UTC)</p>
      <p>
        {fmtUsd(p.costUsd)}
        {p.modelCostUsd !== undefined ? ` (models ${fmtUsd(p.modelCostUsd)}, tool calls ${fmtUsd(p.toolCostUsd ?? "0")})` : ""}
      </p>
      <p>
        {fmtCount(p.calls)} tool calls{p.modelCalls !== undefined ? ` · ${fmtCount(p.modelCalls)} model calls` : ""} · {fmtCount(p.tokensIn)} tokens in · {fmtCount(p.tokensOut)} out
      </p>
    </div>
  );
}

/**
 * Cost per UTC day (the fleet's, or one agent's with `who`), with its daily budget as a line when
 * there is one; with the split known, model and tool-call cost are stacked.
 */
export function SpendChart({ points, dailyBudgetUsd, who = "Fleet" }: { points: SpendPoint[]; dailyBudgetUsd: string | null; who?: string }) {
  // Numbers only for drawing; every figure shown as text comes from the exact strings.
  const split = points.some((p) => p.modelCostUsd !== undefined);
  const data = points.map((p) => ({ ...p, cost: Number(p.costUsd), tool: Number(p.toolCostUsd ?? p.costUsd), model: Number(p.modelCostUsd ?? 0) }));
  const budget = dailyBudgetUsd ? Number(dailyBudgetUsd) : null;
  const peak = points.reduce<SpendPoint | null>((best, p) => (!best || Number(p.costUsd) > Number(best.costUsd) ? p : best), null);
  const summary = `${who} spend per UTC day, ${points[0]?.day ?? ""} to ${points.at(-1)?.day ?? ""}: ${points.map((p) => `${p.day.slice(5)} ${fmtUsd(p.costUsd)}`).join(", ")}${peak ? `; highest ${fmtUsd(peak.costUsd)} on ${peak.day}` : ""}${dailyBudgetUsd ? `; daily ${who === "Fleet" ? "fleet " : ""}budget ${fmtUsd(dailyBudgetUsd)}` : ""}.`;
  const top = Math.max(budget ?? 0, ...data.map((d) => d.cost));
  return (
    <figure className="text-slate-600 dark:text-slate-400">
      <div role="img" aria-label={summary} className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="day" tickFormatter={(v: string) => v.slice(5)} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} />
            <YAxis
              domain={[0, top > 0 ? Math.ceil(top * 1.1 * 100) / 100 : 1]}
              tickFormatter={(v: number) => `$${v.toLocaleString("en", { maximumFractionDigits: 2 })}`}
              tick={{ fill: "currentColor", fontSize: 11 }}
              stroke="currentColor"
              strokeOpacity={0.3}
              width={64}
            />
            <Tooltip content={ChartTooltip} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
            {split ? (
              <>
                <Bar dataKey="tool" name="tool calls" stackId="cost" fill={COST_COLOR} isAnimationActive={false} />
                <Bar dataKey="model" name="model calls" stackId="cost" fill={MODEL_COLOR} isAnimationActive={false} />
                <Legend wrapperStyle={{ fontSize: 11 }} />
              </>
            ) : (
              <Bar dataKey="cost" name="cost" fill={COST_COLOR} isAnimationActive={false} />
            )}
            {budget !== null && (
              <ReferenceLine
                y={budget}
                stroke={BUDGET_COLOR}
                strokeDasharray="4 4"
                label={{ value: who === "Fleet" ? "fleet budget" : "daily budget", fill: BUDGET_COLOR, fontSize: 11, position: "insideTopRight" }}
              />
            )}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs">{summary}</figcaption>
    </figure>
  );
}
