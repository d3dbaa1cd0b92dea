import { runApiRead } from "@/lib/api";
import { getSpendOverview, usageByDay } from "@/lib/spend/queries";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/spend — today's spend (UTC day): the fleet total against the fleet budget, each agent
 * that spent today or has a budget (calls, tokens in/out, costUsd, budget, percent, last alert),
 * calls not attributed to a registered agent, and the fleet's last 7 days. Money is a decimal string.
 */
export function GET() {
  return runApiRead(
    "dashboard:read",
    "spend",
    async () => {
      const [today, last7Days] = await Promise.all([getSpendOverview(), usageByDay()]);
      return { data: { ...today, last7Days } };
    },
    { fleetWide: true },
  );
}
