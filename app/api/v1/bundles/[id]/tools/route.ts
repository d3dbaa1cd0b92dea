import { runApiAction } from "@/lib/api";
import { setBundleToolsAction } from "@/lib/tools/actions";

export const dynamic = "force-dynamic";

/** PUT /api/v1/bundles/{id}/tools {toolIds} */
export async function PUT(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, setBundleToolsAction, { id: (await params).id });
}
