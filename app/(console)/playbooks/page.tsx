import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { countPlaybooksNeedingDrill, listPlaybooks, parsePlaybookQuery, refNames } from "@/lib/playbooks/queries";
import { listViewOf } from "@/lib/list";
import { PlaybooksList } from "@/components/playbooks/PlaybooksList";

export const metadata: Metadata = { title: "Playbooks" };

export default async function PlaybooksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:read");
  const parsed = parsePlaybookQuery(await searchParams);
  const now = new Date();
  const [page, due] = await Promise.all([listPlaybooks(parsed.query, now), countPlaybooksNeedingDrill(now)]);
  const names = await refNames(page.rows.map((r) => r.triggerConfig));
  return (
    <PlaybooksList
      rows={page.rows}
      view={listViewOf(parsed, page)}
      names={names}
      due={due}
      drillFilter={parsed.query.drill}
      canManage={can(actor.role, "playbooks:manage")}
      canDrill={can(actor.role, "incidents:manage")}
    />
  );
}
