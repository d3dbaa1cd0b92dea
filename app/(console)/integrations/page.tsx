import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listIntegrations, listReviewQueue, parseIntegrationQuery } from "@/lib/integrations/queries";
import { listViewOf } from "@/lib/list";
import { IntegrationsList } from "@/components/integrations/IntegrationsList";

export const metadata: Metadata = { title: "Integrations" };

export default async function IntegrationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:read");
  const parsed = parseIntegrationQuery(await searchParams);
  const now = new Date();
  const [page, queue] = await Promise.all([listIntegrations(parsed.query, now), listReviewQueue(now, 5)]);
  return <IntegrationsList rows={page.rows} view={listViewOf(parsed, page)} queue={queue} canWrite={can(actor.role, "registry:write")} />;
}
