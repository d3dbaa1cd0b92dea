import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listPendingRequests, listToolsPage, parseToolQuery } from "@/lib/tools/queries";
import { listViewOf } from "@/lib/list";
import { ToolsList } from "@/components/tools/ToolsList";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Tools & allowlist" };

export default async function ToolsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:read");
  const parsed = parseToolQuery(await searchParams);
  const [page, pending] = await Promise.all([listToolsPage(parsed.query), listPendingRequests(teamScopeOf(actor))]);
  return <ToolsList rows={page.rows} view={listViewOf(parsed, page)} pending={pending} canRequest={can(actor.role, "tools:request")} />;
}
