"use client";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from "recharts";
import type { WeekPoint } from "@/lib/overview/types";

const APPROVED_COLOR = "#10b981"; // emerald-500
const CONDITIONAL_COLOR = "#f59e0b"; // amber-500
const REJECTED_COLOR = "#ef4444"; // red-500
const FILED_COLOR = "#64748b"; // slate-500

function ChartTooltip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as WeekPoint | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium">Week of {p.week}</p>
      <p>
        {p.approved} approved, {p.conditional} with conditions, {p.rejected} rejected
      </p>
      <p>{p.filed} requests filed</p>
    </div>
  );
}

/** Trust decisions per week by outcome (stacked), with tool requests filed per week as a line. */
export function ReviewThroughputChart({ weeks }: { weeks: WeekPoint[] }) {
  const decided = weeks.reduce((a, w) => a + w.approved + w.conditional + w.rejected, 0);
  const filed = weeks.reduce((a, w) => a + w.filed, 0);
  const rejected = weeks.reduce((a, w) => a + w.rejected, 0);
  const summary = `${decided} trust decisions over ${weeks.length} weeks (${rejected} rejected) against ${filed} tool requests filed.`;
  return (
    <figure className="text-slate-600 dark:text-slate-400">
      <div role="img" aria-label={summary} className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={weeks} margin={{ top: 8, right: 8, bottom: 0, left: -8 }} barCategoryGap={4}>
            <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="week" tickFormatter={(v: string) => v.slice(5)} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} minTickGap={16} />
            <YAxis allowDecimals={false} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} width={40} />
            <Tooltip content={ChartTooltip} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="approved" name="approved" stackId="d" fill={APPROVED_COLOR} isAnimationActive={false} />
            <Bar dataKey="conditional" name="with conditions" stackId="d" fill={CONDITIONAL_COLOR} isAnimationActive={false} />
            <Bar dataKey="rejected" name="rejected" stackId="d" fill={REJECTED_COLOR} isAnimationActive={false} />
            <Line dataKey="filed" name="filed" type="monotone" stroke={FILED_COLOR} strokeWidth={2} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs">{summary}</figcaption>
    </figure>
  );
}
