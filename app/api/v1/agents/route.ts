import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { csvResponse, toCsv } from "@/lib/csv";
import { listAgentsPage, parseAgentQuery } from "@/lib/agents/queries";
import { createAgentAction } from "@/lib/agents/actions";
import { parseListRequest } from "@/lib/list";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

/** GET /api/v1/agents?q=&status=&scope=&gateway=&sort=&dir=&page=&pageSize=[&format=csv]: a page, or the whole view as CSV; a bad param is a 400. */
export async function GET(req: Request) {
  return runApiRead("registry:read", "agents", async (actor) => {
    const { query, format } = parseListRequest(queryParams(req), parseAgentQuery);
    const csv = format === "csv";
    const page = await listAgentsPage(query, { all: csv, scope: teamScopeOf(actor) });
    if (!csv) return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
    const rows = page.rows.map((a) => ({
      name: a.name,
      owner: a.owner,
      purpose: a.purpose,
      gateway: a.gateway?.name,
      status: a.status,
      scope: a.scope,
      model: a.model,
      fallbacks: a.fallbackModels,
      flags: a.flags.map((f) => f.title),
    }));
    return csvResponse(
      "agents.csv",
      toCsv(
        ["name", "owner", "purpose", "gateway", "status", "scope", "model", "fallbacks", "flags"].map((k) => ({ key: k, header: k })),
        rows,
      ),
    );
  });
}

/** POST /api/v1/agents — register an agent. */
export function POST(req: Request) {
  return runApiAction(req, createAgentAction, {}, 201);
}
