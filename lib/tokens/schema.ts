import { z } from "zod";

export const ZTokenCreate = z.object({
  name: z.string().trim().min(1, "Required.").max(80, "At most 80 characters."),
  expiresInDays: z.coerce.number().int("Whole days.").min(1, "At least 1 day.").max(365, "At most 365 days.").default(90),
});
export const ZTokenRevoke = z.object({ id: z.uuid("Not a valid id.") });
