import { z } from "zod";
import { queryParams, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { listDrills, playbookExists } from "@/lib/playbooks/queries";

export const dynamic = "force-dynamic";

const ZPage = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
});

/** GET /api/v1/playbooks/{id}/drills?page=&pageSize= → {data, total, page, pageSize}, newest first. Scope registry:read. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return runApiRead("registry:read", "playbook.drills", async () => {
    const sp = queryParams(req);
    const page = ZPage.safeParse({ page: sp.get("page") ?? undefined, pageSize: sp.get("pageSize") ?? undefined });
    if (!page.success) throw new AppError("invalid", "Invalid query.", { page: ["Invalid value."] });
    if (!(await playbookExists(id))) throw new AppError("not_found", "No such playbook.");
    const res = await listDrills(id, page.data);
    return { data: res.rows, total: res.total, page: res.page, pageSize: res.pageSize };
  });
}
