import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { ZAuditFilter, listAuditEvents } from "@/lib/audit/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import { VerifyChain } from "@/components/audit/VerifyChain";
import { AuditFilters } from "@/components/audit/AuditFilters";
import { JsonDiff } from "@/components/audit/JsonDiff";

export const metadata: Metadata = { title: "Audit & evidence" };

const OUTCOME_TONE = { success: "green", denied: "red", failure: "amber" } as const;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  await requireScope("audit:read", undefined, { fleetWide: true });
  const sp = await searchParams;
  const parsed = ZAuditFilter.safeParse(Object.fromEntries(Object.entries(sp).filter(([, v]) => v)));
  const filter = parsed.success ? parsed.data : ZAuditFilter.parse({});
  const page = await listAuditEvents(filter);
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const link = (p: number) => `/audit?${new URLSearchParams({ ...Object.fromEntries(Object.entries(sp).filter(([, v]) => v) as [string, string][]), page: String(p) })}`;
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every change and every denied attempt, hash-chained: each event stores the SHA-256 of the previous hash plus its own content, the database refuses updates and deletes, and signed checkpoints of the chain leave the database every few minutes."
      />
      <VerifyChain />
      <AuditFilters initial={{ q: sp.q ?? "", outcome: sp.outcome ?? "", actor: sp.actor ?? "", action: sp.action ?? "" }} />
      {!parsed.success && (
        <p role="alert" className="mb-3 text-sm text-red-600">
          Some filters were not valid and were ignored.
        </p>
      )}
      <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">{page.total.toLocaleString("en")} events</p>
      <DataTable
        caption="Audit events"
        columns={[
          { id: "id", header: "#" },
          { id: "at", header: "When" },
          { id: "actor", header: "Actor" },
          { id: "action", header: "Action" },
          { id: "target", header: "Target" },
          { id: "change", header: "Change" },
        ]}
        rows={page.events.map((e) => ({
          key: e.id,
          cells: {
            id: <code className="text-xs">{e.id}</code>,
            at: <span className="whitespace-nowrap">{fmtDate(e.createdAt)}</span>,
            actor: (
              <div>
                <p>{e.actorLabel}</p>
                <p className="text-xs text-slate-500">
                  {e.actorType}
                  {e.role ? ` · ${e.role}` : ""}
                  {e.ip ? ` · ${e.ip}` : ""}
                </p>
              </div>
            ),
            action: (
              <span>
                <code>{e.action}</code> <Badge tone={OUTCOME_TONE[e.outcome]}>{e.outcome}</Badge>
              </span>
            ),
            target: e.targetType ? (
              <span className="text-xs">
                {e.targetType}: <code>{e.targetId}</code>
              </span>
            ) : (
              "—"
            ),
            change: <JsonDiff before={e.before} after={e.after} />,
          },
          sort: { id: Number(e.id), at: e.createdAt.getTime(), actor: e.actorLabel, action: e.action },
        }))}
        empty={<EmptyState title="No events match">Clear the filters to see the whole trail.</EmptyState>}
      />
      <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
        <span>
          Page {page.page} of {pages}
        </span>
        <span className="flex gap-3">
          {page.page > 1 && (
            <Link className="text-brand-600 hover:underline" href={link(page.page - 1)}>
              ← Newer
            </Link>
          )}
          {page.page < pages && (
            <Link className="text-brand-600 hover:underline" href={link(page.page + 1)}>
              Older →
            </Link>
          )}
        </span>
      </nav>
    </>
  );
}
