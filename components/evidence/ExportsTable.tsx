"use client";
import { useEffect, useState } from "react";
import Link from "next/link";
import { Badge } from "@/components/ui/Badge";
import { DataTable } from "@/components/ui/DataTable";
import { EmptyState } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import type { ExportStatus } from "@/lib/evidence/schema";
import { fmtBytes } from "./format";

const STATE_TONE = { running: "blue", done: "green", failed: "red" } as const;
const PHASES: Record<string, string> = {
  queued: "Queued",
  counting: "Counting rows",
  audit: "Audit trail",
  registry: "Registry",
  response: "Response records",
  tool_calls: "Tool calls",
  packing: "Packing and signing",
  done: "Done",
};

function Progress({ s }: { s: ExportStatus }) {
  const { rows, totalEstimate, phase } = s.progress;
  const pct = totalEstimate > 0 ? Math.min(100, Math.round((rows / totalEstimate) * 100)) : phase === "packing" ? 100 : 0;
  return (
    <div className="min-w-40">
      <div
        role="progressbar"
        aria-label={`Export ${s.id.slice(0, 8)} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
      >
        <div className="h-full bg-brand-600 transition-all" style={{ width: `${pct}%` }} />
      </div>
      <p className="mt-1 text-xs text-slate-500">
        {PHASES[phase] ?? phase} · {rows.toLocaleString("en")}
        {totalEstimate ? ` / ~${totalEstimate.toLocaleString("en")}` : ""} rows
      </p>
    </div>
  );
}

/**
 * The exports on file, newest first. While any is running it polls the API every second for
 * progress; finished ones offer the download (audited) and a link to verify a copy.
 */
export function ExportsTable({ initial }: { initial: ExportStatus[] }) {
  const [rows, setRows] = useState(initial);
  const [stale, setStale] = useState(false);
  const running = rows.some((r) => r.state === "running");

  useEffect(() => {
    if (!running) return;
    let cancelled = false;
    const timer = setInterval(async () => {
      try {
        const res = await fetch("/api/v1/evidence/exports", { cache: "no-store" });
        if (!res.ok) throw new Error(String(res.status));
        const body = (await res.json()) as { data: ExportStatus[] };
        if (!cancelled) {
          setRows(body.data);
          setStale(false);
        }
      } catch {
        if (!cancelled) setStale(true);
      }
    }, 1000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [running]);

  return (
    <div aria-live="polite">
      {stale && (
        <p role="alert" className="mb-2 text-sm text-amber-700 dark:text-amber-300">
          Progress could not be refreshed; retrying…
        </p>
      )}
      <DataTable
        caption="Evidence exports"
        columns={[
          { id: "created", header: "Created" },
          { id: "by", header: "By" },
          { id: "window", header: "Window (UTC)" },
          { id: "scope", header: "Scope" },
          { id: "state", header: "State" },
          { id: "size", header: "Size" },
          { id: "actions", header: "" },
        ]}
        rows={rows.map((s) => ({
          key: s.id,
          cells: {
            created: (
              <span id={`export-${s.id}`} className="whitespace-nowrap">
                {fmtDate(s.createdAt)}
              </span>
            ),
            by: s.createdBy,
            window: (
              <span className="whitespace-nowrap text-xs">
                {fmtDate(s.window.from)} → {fmtDate(s.window.to)}
              </span>
            ),
            scope: s.filters.gatewayIds.length || s.filters.agentIds.length ? `${s.filters.gatewayIds.length || "all"} gateway(s), ${s.filters.agentIds.length || "all"} agent(s)` : "Everything",
            state:
              s.state === "running" ? (
                <Progress s={s} />
              ) : (
                <div>
                  <Badge tone={STATE_TONE[s.state]}>{s.state}</Badge>
                  {s.error && <p className="mt-1 max-w-xs text-xs text-red-600">{s.error}</p>}
                  {s.state === "done" && s.manifestSha256 && (
                    <p className="mt-1 text-xs text-slate-500" title={`SHA-256 of manifest.json: ${s.manifestSha256}`}>
                      manifest {s.manifestSha256.slice(0, 12)}…
                    </p>
                  )}
                </div>
              ),
            size: fmtBytes(s.bytes),
            actions:
              s.state === "done" ? (
                <span className="flex gap-3 whitespace-nowrap text-sm">
                  <a href={`/api/v1/evidence/exports/${s.id}/download`} className="text-brand-600 hover:underline" download>
                    Download
                  </a>
                  <Link href="/audit/evidence/verify" className="text-brand-600 hover:underline">
                    Verify
                  </Link>
                </span>
              ) : null,
          },
          sort: { created: Date.parse(s.createdAt), by: s.createdBy, window: Date.parse(s.window.from), state: s.state, size: s.bytes ?? 0 },
        }))}
        empty={<EmptyState title="No exports yet">Choose a window above and export. Each bundle is signed with Warden&apos;s key and can be verified offline.</EmptyState>}
      />
    </div>
  );
}
