import "server-only";
import { db } from "@/lib/db";
import { ZViewFilters, type TViewFilters } from "./schema";

export type SavedView = { id: string; name: string; filters: TViewFilters; createdAt: Date; updatedAt: Date };

/**
 * The user's saved explorer views, by name. Read from the primary: a view saved a moment ago must
 * be listed on the next page load, whatever a replica has replayed. A stored filter set that no
 * longer parses (an older version's keys) is shown with the filters that still do.
 */
export async function listViews(userId: string): Promise<SavedView[]> {
  const rows = await db.toolCallView.findMany({ where: { userId }, orderBy: [{ nameKey: "asc" }, { id: "asc" }], select: { id: true, name: true, filters: true, createdAt: true, updatedAt: true } });
  return rows.map((r) => {
    const parsed = ZViewFilters.safeParse(r.filters);
    return { ...r, filters: parsed.success ? parsed.data : {} };
  });
}
