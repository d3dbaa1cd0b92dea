import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { containApiAction } from "@/lib/containment/actions";
import { listActiveContainment, listContainmentHistory } from "@/lib/containment/queries";
import { teamScopeOf } from "@/lib/teams/scope";

import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/containment {scope: tool|agent|gateway|fleet, target, action, reason, options?: {cronOff}, incidentId?}
 * → 201 {data: {id, gateways}}. Scope containment:execute; audited "containment.apply".
 * Targets: a tool name; an agent id or name; a gateway id or name; "fleet".
 * Actions per scope: tool deny_tool|require_approval; agent suspend_agent; gateway block_all|cron_off|disable_extensions|shutdown; fleet block_all|cron_off.
 */
export function POST(req: Request) {
  return runApiAction(req, containApiAction, {}, 201);
}

/** GET /api/v1/containment?status=active|released&page= → {data, total?}. Scope registry:read. */
export async function GET(req: Request) {
  return runApiRead("registry:read", "containment", async (actor) => {
    const params = queryParams(req);
    const status = params.get("status") ?? "active";
    if (status === "active") return { data: await listActiveContainment(teamScopeOf(actor)) };
    if (status !== "released") throw new AppError("invalid", "Invalid query.", { status: ["active or released."] });
    const page = Math.max(1, Math.min(100_000, Number(params.get("page") ?? 1) || 1));
    const res = await listContainmentHistory(page, undefined, teamScopeOf(actor));
    return { data: res.rows, total: res.total, page: res.page, pageSize: res.pageSize };
  });
}
