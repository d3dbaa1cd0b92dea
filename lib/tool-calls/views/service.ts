import "server-only";
import type { z } from "zod";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { MAX_VIEWS_PER_USER, nameKeyOf, type ZViewCreate, type ZViewDelete, type ZViewUpdate } from "./schema";

const SELECT = { id: true, name: true, filters: true, createdAt: true, updatedAt: true } as const;

function ownerOf(actor: Actor): string {
  if (!actor.userId) throw new AppError("forbidden", "Saved views belong to a user; sign in or use a personal API token.");
  return actor.userId;
}

const duplicate = (name: string) => new AppError("conflict", `You already have a view named "${name.trim()}".`, { name: ["You already have a view with this name."] });

/**
 * Save the current explorer filters under a name, for the actor only. The user's row is locked
 * for the transaction, so concurrent saves of one user are counted one after the other (the cap
 * holds); a name already taken (ignoring case) is a 409 with a field error, also when two saves of
 * the same name race (the unique index decides, and the loser changes nothing).
 */
export async function createView(actor: Actor, input: z.infer<typeof ZViewCreate>) {
  const userId = ownerOf(actor);
  try {
    return await db.$transaction(async (tx) => {
      await tx.$queryRaw`select 1 from users where id = ${userId}::uuid for update`;
      const count = await tx.toolCallView.count({ where: { userId } });
      if (count >= MAX_VIEWS_PER_USER)
        throw new AppError("conflict", `You can keep at most ${MAX_VIEWS_PER_USER} saved views; delete one first.`, { name: [`At most ${MAX_VIEWS_PER_USER} saved views.`] });
      const view = await tx.toolCallView.create({ data: { userId, name: input.name, nameKey: nameKeyOf(input.name), filters: input.filters }, select: SELECT });
      await recordAudit(tx, actor, { action: "tool_call_view.create", targetType: "tool_call_view", targetId: view.id, after: { name: view.name, filters: view.filters } });
      return view;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(input.name);
    throw err;
  }
}

/** Rename a view or replace its filters. Only its owner finds it (anyone else: 404). */
export async function updateView(actor: Actor, input: z.infer<typeof ZViewUpdate>) {
  const userId = ownerOf(actor);
  try {
    return await db.$transaction(async (tx) => {
      const before = await tx.toolCallView.findFirst({ where: { id: input.id, userId }, select: SELECT });
      if (!before) throw new AppError("not_found", "No such saved view.");
      const view = await tx.toolCallView.update({
        where: { id: before.id },
        data: { ...(input.name !== undefined ? { name: input.name, nameKey: nameKeyOf(input.name) } : {}), ...(input.filters !== undefined ? { filters: input.filters } : {}) },
        select: SELECT,
      });
      await recordAudit(tx, actor, {
        action: "tool_call_view.update",
        targetType: "tool_call_view",
        targetId: view.id,
        before: { name: before.name, filters: before.filters },
        after: { name: view.name, filters: view.filters },
      });
      return view;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(input.name ?? "");
    throw err;
  }
}

/** Delete one of the actor's views. Of concurrent deletes one succeeds; the rest (and strangers) get 404. */
export async function deleteView(actor: Actor, input: z.infer<typeof ZViewDelete>) {
  const userId = ownerOf(actor);
  return db.$transaction(async (tx) => {
    const view = await tx.toolCallView.findFirst({ where: { id: input.id, userId }, select: SELECT });
    if (!view) throw new AppError("not_found", "No such saved view.");
    const gone = await tx.toolCallView.deleteMany({ where: { id: view.id, userId } });
    if (gone.count !== 1) throw new AppError("not_found", "No such saved view.");
    await recordAudit(tx, actor, { action: "tool_call_view.delete", targetType: "tool_call_view", targetId: view.id, before: { name: view.name, filters: view.filters } });
    return { id: view.id, deleted: true };
  });
}
