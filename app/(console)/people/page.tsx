import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listGroups, listPeoplePage, parsePeopleQuery } from "@/lib/people/queries";
import { listViewOf } from "@/lib/list";
import { PeopleList } from "@/components/people/PeopleList";

export const metadata: Metadata = { title: "People" };

export default async function PeoplePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:read");
  const parsed = parsePeopleQuery(await searchParams);
  const [page, groups] = await Promise.all([listPeoplePage(actor, parsed.query), listGroups(actor)]);
  return <PeopleList rows={page.rows} view={listViewOf(parsed, page)} groups={groups} canWrite={can(actor.role, "registry:write")} />;
}
