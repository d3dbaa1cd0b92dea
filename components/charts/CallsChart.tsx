"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from "recharts";

export type CallsPoint = { hour: string; calls: number; blocked: number };

const ALLOWED_COLOR = "#2f6fed"; // brand-500: readable on white and on slate-900
const BLOCKED_COLOR = "#ef4444"; // red-500

/** "05-14 13:00" (or "13:00" for windows of a day or less), always UTC so server and client agree. */
function hourLabel(iso: string, withDay: boolean): string {
  const s = iso.slice(5, 13).replace("T", " ") + ":00";
  return withDay ? s : s.slice(6);
}

function ChartTooltip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as (CallsPoint & { allowed: number }) | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium">{p.hour.slice(0, 13).replace("T", " ")}:00 UTC</p>
      <p>{p.calls.toLocaleString("en")} calls</p>
      <p className="text-red-700 dark:text-red-300">{p.blocked.toLocaleString("en")} blocked</p>
    </div>
  );
}

/** Calls per hour, allowed and blocked stacked (so a bar's height is all calls in that hour). */
export function CallsChart({ points, label }: { points: CallsPoint[]; label: string }) {
  const data = points.map((p) => ({ ...p, allowed: p.calls - p.blocked }));
  const withDay = points.length > 25;
  const total = points.reduce((n, p) => n + p.calls, 0);
  const blocked = points.reduce((n, p) => n + p.blocked, 0);
  const peak = points.reduce<CallsPoint | null>((best, p) => (!best || p.calls > best.calls ? p : best), null);
  const summary = `${label}: ${total.toLocaleString("en")} calls, ${blocked.toLocaleString("en")} blocked, over ${points.length} hours${peak && peak.calls > 0 ? `; busiest hour ${peak.hour.slice(0, 13).replace("T", " ")}:00 UTC with ${peak.calls.toLocaleString("en")} calls` : ""}.`;
  return (
    <figure className="text-slate-600 dark:text-slate-400">
      <div role="img" aria-label={summary} className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -8 }} barCategoryGap={1}>
            <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="hour" tickFormatter={(v: string) => hourLabel(v, withDay)} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} minTickGap={24} />
            <YAxis allowDecimals={false} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} width={48} />
            <Tooltip content={ChartTooltip} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="allowed" name="allowed" stackId="calls" fill={ALLOWED_COLOR} isAnimationActive={false} />
            <Bar dataKey="blocked" name="blocked" stackId="calls" fill={BLOCKED_COLOR} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs">{summary}</figcaption>
    </figure>
  );
}
