import { runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { listViews } from "@/lib/tool-calls/views/queries";
import { createViewAction } from "@/lib/tool-calls/views/actions";

export const dynamic = "force-dynamic";

/** GET /api/v1/tool-calls/views — the caller's own saved explorer views (private to each user). */
export function GET() {
  return runApiRead("tool_calls:read", "tool_call_views", async (actor) => {
    if (!actor.userId) throw new AppError("forbidden", "Saved views belong to a user.");
    return { data: await listViews(actor.userId) };
  });
}

/** POST /api/v1/tool-calls/views {name, filters} → 201 {data}; a name you already use: 409. */
export function POST(req: Request) {
  return runApiAction(req, createViewAction, {}, 201);
}
