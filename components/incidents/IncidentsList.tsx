import Link from "next/link";
import { INCIDENT_STATUSES, SEVERITIES, type IncidentStatusName } from "@/lib/incidents/schema";

/** What a row of the incident list shows. */
export type IncidentListRow = {
  id: string;
  title: string;
  severity: string;
  status: string;
  openedAt: Date;
  closedAt: Date | null;
  findingId: string | null;
  owner: { name: string; email: string } | null;
  playbook: { name: string } | null;
};
import type { ListView } from "@/lib/list";
import { ListPage } from "@/components/ui/ListPage";
import { Badge } from "@/components/ui/Badge";
import { PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { fmtCount } from "@/components/ui/format";
import { SEVERITY_TONE, STATUS_TONE } from "./tones";

/** The incident list: status tabs with counts, then every incident with owner, playbook and times. */
export function IncidentsList({
  rows,
  view,
  status,
  counts,
  canManage,
}: {
  rows: IncidentListRow[];
  view: ListView;
  status?: IncidentStatusName;
  counts: Record<IncidentStatusName, number>;
  canManage: boolean;
}) {
  const totalAll = INCIDENT_STATUSES.reduce((n, s) => n + counts[s], 0);
  const tab = (active: boolean) => `rounded-full border px-3 py-1 ${active ? "border-brand-500 font-medium" : "border-slate-300 dark:border-slate-700"}`;
  return (
    <>
      <PageHeader
        title="Incidents"
        description="Every incident with its owner, playbook, containment and timeline. Open one by hand here, or from a finding."
        actions={
          canManage ? (
            <Link href="/incidents/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
              Open incident
            </Link>
          ) : undefined
        }
      />
      <nav aria-label="Incidents by status" className="mb-4 flex flex-wrap gap-2 text-sm">
        <Link href="/incidents" aria-current={!status ? "page" : undefined} className={tab(!status)}>
          all <span className="text-slate-500">{fmtCount(totalAll)}</span>
        </Link>
        {INCIDENT_STATUSES.map((s) => (
          <Link key={s} href={`/incidents?status=${s}`} aria-current={status === s ? "page" : undefined} className={tab(status === s)}>
            {s} <span className="text-slate-500">{fmtCount(counts[s])}</span>
          </Link>
        ))}
      </nav>
      <ListPage
        caption="Incidents"
        noun="incidents"
        basePath="/incidents"
        view={view}
        csvPath="/api/v1/incidents"
        searchPlaceholder="title"
        columns={[
          { id: "severity", header: "Severity", sortable: true },
          { id: "title", header: "Incident", sortable: true },
          { id: "status", header: "Status", sortable: true },
          { id: "owner", header: "Owner" },
          { id: "openedAt", header: "Opened", sortable: true },
          { id: "playbook", header: "Playbook" },
        ]}
        filters={[
          { id: "status", label: "Status", options: INCIDENT_STATUSES.map((s) => ({ value: s, label: s })) },
          { id: "severity", label: "Severity", options: SEVERITIES.map((s) => ({ value: s, label: s })) },
        ]}
        rows={rows.map((i) => ({
          key: i.id,
          cells: {
            severity: <Badge tone={SEVERITY_TONE[i.severity]}>{i.severity}</Badge>,
            title: (
              <div className="max-w-xl">
                <Link href={`/incidents/${i.id}`} className="font-medium text-brand-600 hover:underline">
                  {i.title}
                </Link>
                {i.findingId && <p className="text-xs text-slate-500">opened from a finding</p>}
              </div>
            ),
            status: (
              <span className="whitespace-nowrap">
                <Badge tone={STATUS_TONE[i.status]}>{i.status}</Badge>
                {i.closedAt && <RelativeTime at={i.closedAt} className="ml-1 text-xs text-slate-500" />}
              </span>
            ),
            owner: i.owner ? <span title={i.owner.email}>{i.owner.name}</span> : <span className="text-slate-500">nobody</span>,
            openedAt: <RelativeTime at={i.openedAt} className="whitespace-nowrap text-xs" />,
            playbook: i.playbook ? <span>{i.playbook.name}</span> : <span className="text-slate-500">—</span>,
          },
        }))}
        empty={{
          title: "No incidents",
          body: (
            <>
              Nothing has been declared an incident yet. Incidents are opened by hand, from a{" "}
              <Link className="text-brand-600 hover:underline" href="/findings">
                finding
              </Link>
              , or by a playbook&apos;s trigger.
            </>
          ),
          action: canManage ? { href: "/incidents/new", label: "Open the first incident" } : null,
        }}
      />
    </>
  );
}
