import { AppError } from "@/lib/errors";
import { runApiRead } from "@/lib/api";
import { getTool } from "@/lib/tools/queries";

export const dynamic = "force-dynamic";

/** GET /api/v1/tools/{id} — versions with hashes and the full decision history. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("registry:read", "tool", async () => {
    const t = /^[0-9a-f-]{36}$/.test(id) ? await getTool(id) : null;
    if (!t) throw new AppError("not_found", "No such tool.");
    return { data: t };
  });
}
