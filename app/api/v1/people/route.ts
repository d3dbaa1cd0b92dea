import { queryParams, runApiAction, runApiRead } from "@/lib/api";
import { csvResponse, toCsv } from "@/lib/csv";
import { parseListRequest } from "@/lib/list";
import { listPeoplePage, parsePeopleQuery } from "@/lib/people/queries";
import { createPersonAction } from "@/lib/people/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/people?q=&status=&group=&team=&sort=&dir=&page=&pageSize=[&format=csv]: the directory (the actor's team only when scoped). */
export async function GET(req: Request) {
  return runApiRead("registry:read", "people", async (actor) => {
    const { query, format } = parseListRequest(queryParams(req), parsePeopleQuery);
    const csv = format === "csv";
    const page = await listPeoplePage(actor, query, { all: csv });
    if (!csv) return { data: page.rows, total: page.total, page: page.page, pageSize: page.pageSize };
    const rows = page.rows.map((p) => ({
      id: p.id,
      name: p.displayName,
      email: p.email,
      team: p.team?.name,
      status: p.disabledAt ? "disabled" : "active",
      identities: p.identities.map((i) => `${i.channel}/${i.accountId}/${i.senderId}`),
      groups: p.groups.map((g) => g.name),
      lastCall: p.lastCallAt?.toISOString(),
    }));
    return csvResponse(
      "people.csv",
      toCsv(
        ["id", "name", "email", "team", "status", "identities", "groups", "lastCall"].map((k) => ({ key: k, header: k })),
        rows,
      ),
    );
  });
}

/** POST /api/v1/people — add a person (with sender identities). */
export function POST(req: Request) {
  return runApiAction(req, createPersonAction, {}, 201);
}
