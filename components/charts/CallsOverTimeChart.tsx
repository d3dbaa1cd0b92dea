"use client";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from "recharts";
import type { DayPoint, HourPoint } from "@/lib/overview/types";

const ALLOWED_COLOR = "#2f6fed"; // brand-500
const BLOCKED_COLOR = "#ef4444"; // red-500

type Point = { key: string; label: string; allowed: number; blocked: number };
type Range = "24h" | "30d";

const n = (v: number) => v.toLocaleString("en");

function ChartTooltip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as Point | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium">{p.label}</p>
      <p>{n(p.allowed + p.blocked)} calls</p>
      <p className="text-red-700 dark:text-red-300">{n(p.blocked)} blocked</p>
    </div>
  );
}

/** Tool calls over time, allowed and blocked stacked: per hour over 24 h, or per day over 30 days (UTC). */
export function CallsOverTimeChart({ hourly, daily }: { hourly: HourPoint[]; daily: DayPoint[] }) {
  const [range, setRange] = useState<Range>("24h");
  const points: Point[] =
    range === "24h"
      ? hourly.map((p) => ({ key: p.hour, label: `${p.hour.slice(0, 13).replace("T", " ")}:00 UTC`, allowed: p.allowed, blocked: p.blocked }))
      : daily.map((p) => ({ key: p.day, label: p.day, allowed: p.allowed, blocked: p.blocked }));
  const total = points.reduce((a, p) => a + p.allowed + p.blocked, 0);
  const blocked = points.reduce((a, p) => a + p.blocked, 0);
  const peak = points.reduce<Point | null>((best, p) => (!best || p.allowed + p.blocked > best.allowed + best.blocked ? p : best), null);
  const unit = range === "24h" ? "hour" : "day";
  const summary =
    total === 0
      ? `No tool calls in the last ${range === "24h" ? "24 hours" : "30 days"}.`
      : `${n(total)} tool calls in the last ${range === "24h" ? "24 hours" : "30 days"}, ${n(blocked)} blocked (${((blocked / total) * 100).toFixed(1)} %); busiest ${unit} ${peak!.label} with ${n(peak!.allowed + peak!.blocked)} calls.`;
  return (
    <figure className="text-slate-600 dark:text-slate-400">
      <div className="mb-2 flex justify-end gap-1" role="group" aria-label="Time range">
        {(["24h", "30d"] as const).map((r) => (
          <button
            key={r}
            type="button"
            aria-pressed={range === r}
            onClick={() => setRange(r)}
            className={`rounded-md px-2 py-1 text-xs font-medium ${range === r ? "bg-brand-600 text-white" : "bg-slate-100 text-slate-700 hover:bg-slate-200 dark:bg-slate-800 dark:text-slate-300 dark:hover:bg-slate-700"}`}
          >
            {r === "24h" ? "24 h, per hour" : "30 d, per day"}
          </button>
        ))}
      </div>
      <div role="img" aria-label={summary} className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -8 }} barCategoryGap={1}>
            <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
            <XAxis
              dataKey="key"
              tickFormatter={(v: string) => (range === "24h" ? `${v.slice(11, 13)}:00` : v.slice(5))}
              tick={{ fill: "currentColor", fontSize: 11 }}
              stroke="currentColor"
              strokeOpacity={0.3}
              minTickGap={20}
            />
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
