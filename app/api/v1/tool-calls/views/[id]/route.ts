import { runApiAction } from "@/lib/api";
import { deleteViewAction, updateViewAction } from "@/lib/tool-calls/views/actions";

export const dynamic = "force-dynamic";

/** PATCH /api/v1/tool-calls/views/{id} {name?, filters?} — rename a view or replace its filters. */
export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, updateViewAction, { id: (await params).id });
}

/** DELETE /api/v1/tool-calls/views/{id} — delete one of your views. */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, deleteViewAction, { id: (await params).id });
}
