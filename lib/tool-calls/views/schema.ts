import { z } from "zod";

/** How many saved views one user may keep. */
export const MAX_VIEWS_PER_USER = 50;

const text = (max: number) => z.string().trim().min(1, "Required.").max(max, `At most ${max} characters.`);

/**
 * The filter set a saved view keeps: the explorer's own URL filters (app/(console)/tool-calls),
 * each checked as the explorer checks it. Unknown keys are refused, so nothing else is ever stored.
 */
export const ZViewFilters = z
  .object({
    range: z.enum(["1h", "24h", "7d", "30d"]).optional(),
    from: z.iso.datetime({ offset: true, message: "An ISO 8601 time." }).optional(),
    to: z.iso.datetime({ offset: true, message: "An ISO 8601 time." }).optional(),
    tool: text(200).optional(),
    agent: text(200).optional(),
    gateway: z.uuid("Not a valid gateway id.").optional(),
    decision: z.enum(["allowed", "blocked", "not_run"]).optional(),
    person: z.uuid("Not a valid person id.").optional(),
    requester: z.enum(["person", "unmapped", "none"]).optional(),
    q: text(200).optional(),
  })
  .strict()
  .refine((f) => !(f.from && f.to) || (Date.parse(f.from) < Date.parse(f.to) && Date.parse(f.to) - Date.parse(f.from) <= 31 * 86_400_000), {
    message: "From must be before to, at most 31 days apart.",
    path: ["to"],
  });
export type TViewFilters = z.infer<typeof ZViewFilters>;

const ZName = z
  .string("Required.")
  .trim()
  .min(1, "Name the view.")
  .max(80, "At most 80 characters.")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "No control characters.");

export const ZViewCreate = z.object({ name: ZName, filters: ZViewFilters });
export const ZViewUpdate = z
  .object({ id: z.uuid("Not a valid id."), name: ZName.optional(), filters: ZViewFilters.optional() })
  .refine((v) => v.name !== undefined || v.filters !== undefined, { message: "Change the name or the filters.", path: ["name"] });
export const ZViewDelete = z.object({ id: z.uuid("Not a valid id.") });

/** The key names are unique by: trimmed, case-folded ("Blocked" and " blocked " are the same view). */
export function nameKeyOf(name: string): string {
  return name.trim().normalize("NFC").toLowerCase();
}

/** The query string a view opens as (/tool-calls?…): only its filters, in a fixed order. */
export function viewQueryString(filters: TViewFilters): string {
  const out = new URLSearchParams();
  for (const k of ["range", "from", "to", "tool", "agent", "gateway", "decision", "person", "requester", "q"] as const) {
    const v = filters[k];
    if (v) out.set(k, v);
  }
  return out.toString();
}
