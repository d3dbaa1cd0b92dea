import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { countPlaybooksNeedingDrill, listPlaybooks, parsePlaybookQuery, refNames, type DrillState } from "@/lib/playbooks/queries";
import { DRILL_DUE_DAYS, PLAYBOOK_TRIGGERS, TRIGGER_LABELS } from "@/lib/playbooks/schema";
import { describeTrigger } from "@/lib/playbooks/format";
import { fmtDuration } from "@/lib/playbooks/drill";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDay } from "@/components/ui/format";

export const metadata: Metadata = { title: "Playbooks" };

type SP = Record<string, string | string[] | undefined>;

const DRILL_BADGE: Record<DrillState, React.ReactNode> = {
  never: <Badge tone="red">never drilled</Badge>,
  overdue: <Badge tone="amber">not drilled in {DRILL_DUE_DAYS} days</Badge>,
  ok: <Badge tone="green">drilled</Badge>,
};

const linkClass = "text-sm text-brand-600 hover:underline";

export default async function PlaybooksPage({ searchParams }: { searchParams: Promise<SP> }) {
  const actor = await requireScope("registry:read");
  const { query, invalid } = parsePlaybookQuery(await searchParams);
  const now = new Date();
  const [page, due] = await Promise.all([listPlaybooks(query, now), countPlaybooksNeedingDrill(now)]);
  const names = await refNames(page.rows.map((r) => r.triggerConfig));
  const canManage = can(actor.role, "playbooks:manage");
  const canDrill = can(actor.role, "incidents:manage");
  const filtered = Boolean(query.q || query.trigger || query.drill);

  return (
    <>
      <PageHeader
        title="Playbooks"
        description="The plan before the incident: what fires it, the steps of each phase with their automated actions, who to call and how to act when Warden itself is out of reach. A plan that is not rehearsed fails when it is needed: drill each one at least every 90 days."
        actions={
          <div className="flex items-center gap-4">
            <Link href="/incidents" className={linkClass}>Incidents →</Link>
            {canManage && <Link href="/playbooks/new" className="inline-flex items-center rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">New playbook</Link>}
          </div>
        }
      />
      {due.total > 0 && (
        <div role="status" className="mb-4 flex flex-wrap items-center gap-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200">
          <p>
            <strong>{due.total} {due.total === 1 ? "playbook needs" : "playbooks need"} a drill</strong>
            {": "}
            {[due.never && `${due.never} never drilled`, due.overdue && `${due.overdue} not drilled in ${DRILL_DUE_DAYS} days`].filter(Boolean).join(", ")}.
          </p>
          {query.drill !== "due" && <Link href="/playbooks?drill=due" className="font-medium underline">Show them</Link>}
        </div>
      )}
      {invalid.length > 0 && <p role="alert" className="mb-3 text-sm text-red-600">Some filters were not valid and were ignored: {invalid.join(", ")}.</p>}
      <ServerTable
        caption="Playbooks"
        searchPlaceholder="name, description, step"
        columns={[
          { id: "name", header: "Playbook", sortable: true },
          { id: "trigger", header: "Trigger", sortable: true },
          { id: "steps", header: "Steps" },
          { id: "lastDrill", header: "Last drill" },
          { id: "ttc", header: "Time to contain" },
          { id: "actions", header: "" },
        ]}
        filters={[
          { id: "trigger", label: "Trigger", options: PLAYBOOK_TRIGGERS.map((t) => ({ value: t, label: TRIGGER_LABELS[t] })) },
          { id: "drill", label: "Drill", options: [{ value: "due", label: "needs a drill" }, { value: "never", label: "never drilled" }, { value: "overdue", label: `not drilled in ${DRILL_DUE_DAYS} days` }, { value: "ok", label: "drilled recently" }] },
        ]}
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        rows={page.rows.map((p) => {
          const trig = describeTrigger(p.trigger, p.triggerConfig, names);
          return {
            key: p.id,
            cells: {
              name: (
                <div className="max-w-md">
                  <Link href={`/playbooks/${p.id}`} className="font-medium text-brand-600 hover:underline">{p.name}</Link>
                  {p.description && <p className="line-clamp-2 text-xs text-slate-600 dark:text-slate-400">{p.description}</p>}
                </div>
              ),
              trigger: (
                <div className="max-w-xs">
                  <p className="whitespace-nowrap">{TRIGGER_LABELS[p.trigger]}</p>
                  <p className={`text-xs ${trig.valid ? "text-slate-600 dark:text-slate-400" : "text-red-600"}`}>{trig.text}</p>
                </div>
              ),
              steps: p.stepsCount === 0 ? <Badge tone="amber">no steps</Badge> : p.stepsCount,
              lastDrill: (
                <div className="flex flex-col items-start gap-1">
                  <span className="whitespace-nowrap">{fmtDay(p.lastDrill?.startedAt)}</span>
                  {DRILL_BADGE[p.drillState]}
                </div>
              ),
              ttc: <span className="tabular-nums">{p.lastDrill ? fmtDuration(p.lastDrill.timeToContainMs) : "—"}</span>,
              actions: canDrill && p.stepsCount > 0 ? <Link href={`/playbooks/${p.id}/drill`} className={`${linkClass} whitespace-nowrap`}>Run a drill</Link> : null,
            },
          };
        })}
        empty={
          filtered ? (
            <EmptyState title="No playbooks match">
              Change the search or filters, or <Link className="text-brand-600 hover:underline" href="/playbooks">show all playbooks</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="No playbooks yet">
              Write down what happens when a vendor is breached before it happens.{" "}
              {canManage && <Link className="text-brand-600 hover:underline" href="/playbooks/new">Create the first playbook</Link>}
            </EmptyState>
          )
        }
      />
    </>
  );
}
