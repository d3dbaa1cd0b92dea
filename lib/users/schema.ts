import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";

export const ZRole = z.enum(ROLES, { message: `Role must be one of: ${ROLES.join(", ")}` });
export const ZPassword = z.string().min(12, "At least 12 characters.").max(200, "At most 200 characters.");
const ZId = z.uuid("Not a valid id.");

export const ZUserCreate = z.object({
  email: z
    .email("Not a valid email address.")
    .max(254)
    .transform((s) => s.trim().toLowerCase()),
  name: z.string().trim().min(1, "Required.").max(120, "At most 120 characters."),
  role: ZRole,
  /** Omit to invite: a one-time password is generated and shown once. */
  password: ZPassword.optional(),
});
export type TUserCreate = z.infer<typeof ZUserCreate>;

export const ZUserSetRole = z.object({ id: ZId, role: ZRole });
export const ZUserSetDisabled = z.object({ id: ZId, disabled: z.boolean() });
export const ZUserResetPassword = z.object({ id: ZId, password: ZPassword.optional() });
