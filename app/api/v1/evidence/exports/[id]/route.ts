import { runApiRead } from "@/lib/api";
import { getExportStatus } from "@/lib/evidence/service";

export const dynamic = "force-dynamic";

/** GET /api/v1/evidence/exports/{id} → { data: status with state and progress }. Scope evidence:export. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("evidence:export", "evidence.export_status", async () => ({ data: await getExportStatus(id) }));
}
