import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { injectFault } from "@/lib/faults/inject";
import { getSpendOverview, listAgentChoices, listBudgetAlerts, usageByDay } from "@/lib/spend/queries";
import { getSpendBreakdown, SPEND_DAYS } from "@/lib/model-usage/queries";
import { PageHeader } from "@/components/ui/Card";
import { SpendView, spendDescription } from "@/components/spend/SpendView";
import { deleteBudget, setBudget } from "./actions";

export const metadata: Metadata = { title: "Spend & budgets" };

const ALERTS_PAGE_SIZE = 20;
const ZPage = z.coerce.number().int().min(1).max(100_000).catch(1);
const ZAgent = z.uuid().optional().catch(undefined);

/** Started now, awaited by the card that shows it; a failure belongs to that card (handled here so it is never unhandled). */
function start<T>(point: string, load: () => Promise<T>): Promise<T> {
  const p = injectFault(point).then(load);
  p.catch(() => {});
  return p;
}

export default async function SpendPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("dashboard:read", undefined, { fleetWide: true });
  const canEdit = can(actor.role, "budgets:manage");
  const sp = await searchParams;
  const page = ZPage.parse(Array.isArray(sp.page) ? sp.page[0] : sp.page);
  const chartAgent = ZAgent.parse(Array.isArray(sp.agent) ? sp.agent[0] : sp.agent);
  return (
    <>
      <PageHeader
        title="Spend & budgets"
        actions={
          <Link href="/spend/models" className="text-sm text-brand-600 hover:underline">
            Model prices & policy
          </Link>
        }
        description={spendDescription(new Date().toISOString().slice(0, 10))}
      />
      <SpendView
        d={{
          canEdit,
          chartAgent,
          spendDays: SPEND_DAYS,
          overview: start("spend-overview", () => getSpendOverview()),
          days: start("spend-days", () => usageByDay({ days: SPEND_DAYS })),
          alerts: start("spend-alerts", () => listBudgetAlerts({ page, pageSize: ALERTS_PAGE_SIZE })),
          agentChoices: canEdit ? start("spend-agents", () => listAgentChoices()) : Promise.resolve([]),
          breakdown: start("spend-breakdown", () => getSpendBreakdown()),
          agentDays: chartAgent ? start("spend-agent-days", () => usageByDay({ days: SPEND_DAYS, agentId: chartAgent })) : Promise.resolve(null),
          setAction: setBudget,
          deleteAction: deleteBudget,
        }}
      />
    </>
  );
}
