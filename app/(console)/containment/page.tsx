import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { can } from "@/lib/auth/roles";
import { teamScopeOf } from "@/lib/teams/scope";
import { openEscalations, containmentTargets, listActiveContainment, listContainmentHistory, type ContainmentView } from "@/lib/containment/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import { KillSwitchForm } from "@/components/containment/KillSwitchForm";
import { AutoRefresh } from "@/components/containment/AutoRefresh";
import { EscalationBanner } from "@/components/containment/EscalationBanner";
import { ACTION_LABELS, SCOPE_LABELS } from "@/components/containment/labels";
import { containNow, previewBlastRadius } from "./actions";

export const metadata: Metadata = { title: "Containment" };

type SP = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** "3/4 applied" plus what is still open, for a row of the active list. */
function Progress({ c }: { c: ContainmentView }) {
  const s = c.summary;
  if (s.total === 0) return <Badge tone="amber">no gateway</Badge>;
  return (
    <span className="flex flex-wrap gap-1">
      <Badge tone={s.applied === s.total ? "green" : "gray"}>
        {s.applied}/{s.total} applied
      </Badge>
      {s.failed > 0 && <Badge tone="red">{s.failed} failed</Badge>}
      {s.timed_out > 0 && <Badge tone="red">{s.timed_out} timed out</Badge>}
      {s.pending + s.delivered > 0 && <Badge tone="blue">{s.pending + s.delivered} waiting</Badge>}
    </span>
  );
}

export default async function ContainmentPage({ searchParams }: { searchParams: Promise<SP> }) {
  const actor = await requireScope("registry:read");
  const sp = await searchParams;
  const page = Math.max(1, Number(one(sp.page)) || 1);
  const canContain = can(actor.role, "containment:execute");
  const scope = teamScopeOf(actor);
  const incidentParam = one(sp.incident);
  const [active, history, escalations, targets, incident] = await Promise.all([
    listActiveContainment(scope),
    listContainmentHistory(page, 25, scope),
    openEscalations(),
    canContain ? containmentTargets(scope) : null,
    incidentParam && /^[0-9a-f-]{36}$/i.test(incidentParam) ? db.incident.findUnique({ where: { id: incidentParam }, select: { id: true, title: true } }) : null,
  ]);
  const waiting = active.some((c) => c.summary.applied + c.summary.failed < c.summary.total);
  const pages = Math.max(1, Math.ceil(history.total / history.pageSize));
  return (
    <>
      <PageHeader
        title="Containment"
        description="Kill switches for a tool, an agent, a gateway or the whole fleet. Commands are kept in an outbox, delivered through each gateway's connector (and its admin WebSocket where configured), and every gateway's acknowledgement is shown here."
        actions={<AutoRefresh active={waiting || escalations.total > 0} />}
      />
      <EscalationBanner {...escalations} canManageWebhooks={can(actor.role, "notifications:manage")} />
      <div className="space-y-6">
        {targets && (
          <Card title="Kill switch">
            <KillSwitchForm
              targets={targets}
              preview={previewBlastRadius}
              contain={containNow}
              initial={{ scope: one(sp.scope), target: one(sp.target), incidentId: incident?.id, incidentTitle: incident?.title }}
            />
          </Card>
        )}
        <Card title={`Active (${active.length})`}>
          {active.length === 0 ? (
            <EmptyState title="Nothing is contained">Every gateway runs under its normal allowlist.</EmptyState>
          ) : (
            <DataTable
              caption="Active containment"
              columns={[
                { id: "when", header: "Since" },
                { id: "scope", header: "Scope" },
                { id: "target", header: "Target" },
                { id: "action", header: "Action" },
                { id: "by", header: "By" },
                { id: "state", header: "Gateways" },
              ]}
              rows={active.map((c) => ({
                key: c.id,
                cells: {
                  when: (
                    <Link className="text-brand-700 underline dark:text-brand-100" href={`/containment/${c.id}`}>
                      {fmtDate(c.createdAt)}
                    </Link>
                  ),
                  scope: SCOPE_LABELS[c.scope] ?? c.scope,
                  target: <span className="font-mono text-xs">{c.label}</span>,
                  action: ACTION_LABELS[c.action] ?? c.action,
                  by: c.requestedBy ?? "—",
                  state: <Progress c={c} />,
                },
                sort: { when: c.createdAt.getTime(), scope: c.scope, target: c.label, action: c.action, by: c.requestedBy ?? "", state: c.summary.applied },
              }))}
            />
          )}
        </Card>
        <Card title={`Released (${history.total})`}>
          {history.total === 0 ? (
            <p className="text-sm text-slate-500">No containment has been released yet.</p>
          ) : (
            <>
              <DataTable
                caption="Released containment"
                columns={[
                  { id: "when", header: "Released" },
                  { id: "target", header: "Target" },
                  { id: "action", header: "Action" },
                  { id: "by", header: "Released by" },
                  { id: "reason", header: "Release reason" },
                ]}
                rows={history.rows.map((c) => ({
                  key: c.id,
                  cells: {
                    when: (
                      <Link className="text-brand-700 underline dark:text-brand-100" href={`/containment/${c.id}`}>
                        {fmtDate(c.releasedAt)}
                      </Link>
                    ),
                    target: (
                      <span>
                        <span className="text-xs text-slate-500">{SCOPE_LABELS[c.scope]}</span> <span className="font-mono text-xs">{c.label}</span>
                      </span>
                    ),
                    action: ACTION_LABELS[c.action] ?? c.action,
                    by: c.releasedBy ?? "—",
                    reason: c.releaseReason ?? "",
                  },
                  sort: { when: c.releasedAt?.getTime() ?? 0, target: c.label, action: c.action, by: c.releasedBy ?? "", reason: c.releaseReason ?? "" },
                }))}
              />
              {pages > 1 && (
                <nav className="mt-3 flex gap-3 text-sm" aria-label="Pagination">
                  {page > 1 && <Link href={`/containment?page=${page - 1}`}>← Newer</Link>}
                  <span>
                    Page {page} of {pages}
                  </span>
                  {page < pages && <Link href={`/containment?page=${page + 1}`}>Older →</Link>}
                </nav>
              )}
            </>
          )}
        </Card>
      </div>
    </>
  );
}
