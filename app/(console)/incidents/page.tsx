import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { incidentCounts, listIncidents, parseIncidentQuery, INCIDENT_READ_SCOPE } from "@/lib/incidents/queries";
import { INCIDENT_STATUSES, SEVERITIES } from "@/lib/incidents/schema";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import { SEVERITY_TONE, STATUS_TONE } from "@/components/incidents/tones";

export const metadata: Metadata = { title: "Incidents" };

type SP = Record<string, string | string[] | undefined>;

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<SP> }) {
  const actor = await requireScope(INCIDENT_READ_SCOPE);
  const { query, invalid } = parseIncidentQuery(await searchParams);
  const [page, counts] = await Promise.all([listIncidents(query), incidentCounts()]);
  const canManage = can(actor.role, "incidents:manage");
  const filtered = Boolean(query.q || query.status || query.severity);
  const totalAll = INCIDENT_STATUSES.reduce((n, s) => n + counts[s], 0);

  return (
    <>
      <PageHeader
        title="Incidents"
        description="Every incident with its owner, playbook, containment and timeline. Open one by hand here, or from a finding."
        actions={canManage ? <Link href="/incidents/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">Open incident</Link> : undefined}
      />
      <nav aria-label="Incidents by status" className="mb-4 flex flex-wrap gap-2 text-sm">
        <Link href="/incidents" aria-current={!query.status ? "page" : undefined} className={`rounded-full border px-3 py-1 ${!query.status ? "border-brand-500 font-medium" : "border-slate-300 dark:border-slate-700"}`}>
          all <span className="text-slate-500">{totalAll}</span>
        </Link>
        {INCIDENT_STATUSES.map((s) => (
          <Link key={s} href={`/incidents?status=${s}`} aria-current={query.status === s ? "page" : undefined} className={`rounded-full border px-3 py-1 ${query.status === s ? "border-brand-500 font-medium" : "border-slate-300 dark:border-slate-700"}`}>
            {s} <span className="text-slate-500">{counts[s]}</span>
          </Link>
        ))}
      </nav>
      {invalid.length > 0 && <p role="alert" className="mb-3 text-sm text-red-600">Some filters were not valid and were ignored: {invalid.join(", ")}.</p>}
      <ServerTable
        caption="Incidents"
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
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        rows={page.rows.map((i) => ({
          key: i.id,
          cells: {
            severity: <Badge tone={SEVERITY_TONE[i.severity]}>{i.severity}</Badge>,
            title: (
              <div className="max-w-xl">
                <Link href={`/incidents/${i.id}`} className="font-medium text-brand-600 hover:underline">{i.title}</Link>
                {i.findingId && <p className="text-xs text-slate-500">opened from a finding</p>}
              </div>
            ),
            status: (
              <span className="whitespace-nowrap">
                <Badge tone={STATUS_TONE[i.status]}>{i.status}</Badge>
                {i.closedAt && <span className="ml-1 text-xs text-slate-500">{fmtDate(i.closedAt)}</span>}
              </span>
            ),
            owner: i.owner ? <span title={i.owner.email}>{i.owner.name}</span> : <span className="text-slate-500">nobody</span>,
            openedAt: <span className="whitespace-nowrap text-xs">{fmtDate(i.openedAt)}</span>,
            playbook: i.playbook ? <span>{i.playbook.name}</span> : <span className="text-slate-500">—</span>,
          },
        }))}
        empty={
          filtered ? (
            <EmptyState title="No incidents match">
              Change the search or filters, or <Link className="text-brand-600 hover:underline" href="/incidents">show all incidents</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="No incidents">
              Nothing has been declared an incident yet.
              {canManage && <> <Link className="text-brand-600 hover:underline" href="/incidents/new">Open one by hand</Link>, or open one from a <Link className="text-brand-600 hover:underline" href="/findings">finding</Link>.</>}
            </EmptyState>
          )
        }
      />
    </>
  );
}
