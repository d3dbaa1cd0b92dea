import { z } from "zod";

const ZId = z.uuid("Not a valid id.");
const ZTeamName = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(80, "At most 80 characters.")
  .regex(/^[^\u0000-\u001f\u007f]+$/, "No control characters.");

export const ZTeamCreate = z.object({ name: ZTeamName, description: z.string().trim().max(500, "At most 500 characters.").default("") });
export const ZTeamUpdate = z
  .object({ id: ZId, name: ZTeamName.optional(), description: z.string().trim().max(500, "At most 500 characters.").optional() })
  .refine((v) => v.name !== undefined || v.description !== undefined, { message: "Send a name or a description.", path: ["_"] });
export const ZTeamDelete = z.object({ id: ZId });

/** Put an agent, a gateway or a user in a team (teamId null: take it out of its team). */
export const ZTeamAssign = z.object({
  kind: z.enum(["agent", "gateway", "user"], { message: "Assign an agent, a gateway or a user." }),
  id: ZId,
  teamId: ZId.nullable(),
});
export type TTeamAssign = z.infer<typeof ZTeamAssign>;
