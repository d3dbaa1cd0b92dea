import { z } from "zod";

const ZId = z.uuid("Not a valid id.");

export const ZGatewayRegister = z.object({
  name: z.string().trim().min(1, "Required.").max(80).regex(/^[a-z0-9][a-z0-9-_.]*$/, "Lower-case letters, digits, - _ . only."),
  kind: z.enum(["openclaw", "generic"]),
  environment: z.string().trim().min(1, "Required.").max(40),
  /** Optional direct control path (containment's second channel): the gateway's admin WebSocket. */
  adminWsUrl: z
    .string()
    .trim()
    .max(500)
    .regex(/^wss?:\/\/[^\s/?#]+(:\d+)?(\/[^\s]*)?$/, "A ws:// or wss:// URL.")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  adminToken: z.string().min(8, "At least 8 characters.").max(500).optional().or(z.literal("").transform(() => undefined)),
});
export type TGatewayRegister = z.infer<typeof ZGatewayRegister>;

export const ZGatewayRotate = z.object({ id: ZId, graceHours: z.coerce.number().int().min(0).max(168).default(24) });
