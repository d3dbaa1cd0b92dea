import { runApiAction, runApiRead } from "@/lib/api";
import { AppError } from "@/lib/errors";
import { deletePlaybookAction, updatePlaybookAction } from "@/lib/playbooks/actions";
import { getPlaybook } from "@/lib/playbooks/queries";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/v1/playbooks/{id} → {data}: steps in run order, contacts, break-glass notes, last 20 drills. Scope registry:read. */
export async function GET(_req: Request, { params }: Ctx) {
  const { id } = await params;
  return runApiRead("registry:read", "playbook", async () => {
    const data = await getPlaybook(id);
    if (!data) throw new AppError("not_found", "No such playbook.");
    return { data };
  });
}

/**
 * PATCH /api/v1/playbooks/{id} with any of name, description, trigger, triggerConfig, contacts,
 * breakGlass, steps (the whole new list; existing steps keep their id) → {data}. Scope playbooks:manage.
 */
export async function PATCH(req: Request, { params }: Ctx) {
  return runApiAction(req, updatePlaybookAction, { id: (await params).id });
}

/** DELETE /api/v1/playbooks/{id} → {data: {id, name}}; its drills go with it. Scope playbooks:manage. */
export async function DELETE(req: Request, { params }: Ctx) {
  return runApiAction(req, deletePlaybookAction, { id: (await params).id });
}
