import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { incidentCounts, listIncidents, parseIncidentQuery, INCIDENT_READ_SCOPE } from "@/lib/incidents/queries";
import { listViewOf } from "@/lib/list";
import { IncidentsList } from "@/components/incidents/IncidentsList";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Incidents" };

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope(INCIDENT_READ_SCOPE);
  const parsed = parseIncidentQuery(await searchParams);
  const scope = teamScopeOf(actor);
  const [page, counts] = await Promise.all([listIncidents(parsed.query, scope), incidentCounts(scope)]);
  return <IncidentsList rows={page.rows} view={listViewOf(parsed, page)} status={parsed.query.status} counts={counts} canManage={can(actor.role, "incidents:manage")} />;
}
