import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { findingFilterChoices, listFindings, parseFindingQuery } from "@/lib/findings/queries";
import { listViewOf } from "@/lib/list";
import { teamScopeOf } from "@/lib/teams/scope";
import { FindingsList } from "@/components/findings/FindingsList";
import { dismissFinding, openIncident } from "./actions";

export const metadata: Metadata = { title: "Findings" };

export default async function FindingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:read");
  const parsed = parseFindingQuery(await searchParams);
  const scope = teamScopeOf(actor);
  const [page, choices] = await Promise.all([listFindings(parsed.query, scope), findingFilterChoices(scope)]);
  return (
    <FindingsList
      rows={page.rows}
      view={listViewOf(parsed, page)}
      choices={choices}
      canDecide={can(actor.role, "tools:decide")}
      canOpenIncident={can(actor.role, "incidents:manage")}
      canExplore={can(actor.role, "tool_calls:read")}
      dismiss={dismissFinding}
      openIncident={openIncident}
    />
  );
}
