import { AppError } from "@/lib/errors";
import { runApiRead } from "@/lib/api";
import { effectiveAllowlist } from "@/lib/allowlist/effective";

export const dynamic = "force-dynamic";

/** GET /api/v1/agents/{id}/allowlist — the effective allowlist with why each tool is (not) allowed. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("registry:read", "allowlist", async () => {
    const list = /^[0-9a-f-]{36}$/.test(id) ? await effectiveAllowlist(id) : null;
    if (!list) throw new AppError("not_found", "No such agent.");
    return list;
  });
}
