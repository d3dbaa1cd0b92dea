import Link from "next/link";
import { DRILL_DUE_DAYS, PLAYBOOK_TRIGGERS, TRIGGER_LABELS, type PlaybookTriggerName } from "@/lib/playbooks/schema";
import { describeTrigger, type RefNames } from "@/lib/playbooks/format";
import { fmtDuration } from "@/lib/playbooks/drill";
import type { ListView } from "@/lib/list";
import { ListPage } from "@/components/ui/ListPage";
import { Badge } from "@/components/ui/Badge";
import { PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { fmtCount } from "@/components/ui/format";

type DrillState = "never" | "overdue" | "ok";
/** What a row of the playbook list shows. */
export type PlaybookListRow = {
  id: string;
  name: string;
  description: string | null;
  trigger: PlaybookTriggerName;
  triggerConfig: unknown;
  stepsCount: number;
  lastDrill: { startedAt: Date; timeToContainMs: number | null } | null;
  drillState: DrillState;
};

const DRILL_BADGE: Record<DrillState, React.ReactNode> = {
  never: <Badge tone="red">never drilled</Badge>,
  overdue: <Badge tone="amber">not drilled in {DRILL_DUE_DAYS} days</Badge>,
  ok: <Badge tone="green">drilled</Badge>,
};

const linkClass = "text-sm text-brand-600 hover:underline";

/** The playbook list: a banner for plans that need a drill, then every playbook with its trigger and last drill. */
export function PlaybooksList(props: {
  rows: PlaybookListRow[];
  view: ListView;
  names: RefNames;
  due: { never: number; overdue: number; total: number };
  drillFilter?: string;
  canManage: boolean;
  canDrill: boolean;
}) {
  const { rows, view, names, due, drillFilter, canManage, canDrill } = props;
  return (
    <>
      <PageHeader
        title="Playbooks"
        description="The plan before the incident: what fires it, the steps of each phase with their automated actions, who to call and how to act when Warden itself is out of reach. A plan that is not rehearsed fails when it is needed: drill each one at least every 90 days."
        actions={
          <div className="flex items-center gap-4">
            <Link href="/incidents" className={linkClass}>
              Incidents →
            </Link>
            {canManage && (
              <Link href="/playbooks/new" className="inline-flex items-center rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
                New playbook
              </Link>
            )}
          </div>
        }
      />
      {due.total > 0 && (
        <div
          role="status"
          className="mb-4 flex flex-wrap items-center gap-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          <p>
            <strong>
              {fmtCount(due.total)} {due.total === 1 ? "playbook needs" : "playbooks need"} a drill
            </strong>
            {": "}
            {[due.never && `${fmtCount(due.never)} never drilled`, due.overdue && `${fmtCount(due.overdue)} not drilled in ${DRILL_DUE_DAYS} days`].filter(Boolean).join(", ")}.
          </p>
          {drillFilter !== "due" && (
            <Link href="/playbooks?drill=due" className="font-medium underline">
              Show them
            </Link>
          )}
        </div>
      )}
      <ListPage
        caption="Playbooks"
        noun="playbooks"
        basePath="/playbooks"
        view={view}
        csvPath="/api/v1/playbooks"
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
          {
            id: "drill",
            label: "Drill",
            options: [
              { value: "due", label: "needs a drill" },
              { value: "never", label: "never drilled" },
              { value: "overdue", label: `not drilled in ${DRILL_DUE_DAYS} days` },
              { value: "ok", label: "drilled recently" },
            ],
          },
        ]}
        rows={rows.map((p) => {
          const trig = describeTrigger(p.trigger, p.triggerConfig, names);
          return {
            key: p.id,
            cells: {
              name: (
                <div className="max-w-md">
                  <Link href={`/playbooks/${p.id}`} className="font-medium text-brand-600 hover:underline">
                    {p.name}
                  </Link>
                  {p.description && <p className="line-clamp-2 text-xs text-slate-600 dark:text-slate-400">{p.description}</p>}
                </div>
              ),
              trigger: (
                <div className="max-w-xs">
                  <p className="whitespace-nowrap">{TRIGGER_LABELS[p.trigger]}</p>
                  <p className={`text-xs ${trig.valid ? "text-slate-600 dark:text-slate-400" : "text-red-600"}`}>{trig.text}</p>
                </div>
              ),
              steps: p.stepsCount === 0 ? <Badge tone="amber">no steps</Badge> : fmtCount(p.stepsCount),
              lastDrill: (
                <div className="flex flex-col items-start gap-1">
                  <RelativeTime at={p.lastDrill?.startedAt} className="whitespace-nowrap" />
                  {DRILL_BADGE[p.drillState]}
                </div>
              ),
              ttc: <span className="tabular-nums">{p.lastDrill ? fmtDuration(p.lastDrill.timeToContainMs) : "—"}</span>,
              actions:
                canDrill && p.stepsCount > 0 ? (
                  <Link href={`/playbooks/${p.id}/drill`} className={`${linkClass} whitespace-nowrap`}>
                    Run a drill
                  </Link>
                ) : null,
            },
          };
        })}
        empty={{
          title: "No playbooks yet",
          body: "Write down what happens when a vendor is breached, an agent misbehaves or a tool turns malicious, before it happens: the trigger, the steps of each phase, who to call.",
          action: canManage ? { href: "/playbooks/new", label: "Create the first playbook" } : null,
        }}
      />
    </>
  );
}
