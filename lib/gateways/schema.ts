import { z } from "zod";

const ZId = z.uuid("Not a valid id.");

export const ZGatewayRegister = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(80)
    .regex(/^[a-z0-9][a-z0-9-_.]*$/, "Lower-case letters, digits, - _ . only."),
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
  adminToken: z
    .string()
    .min(8, "At least 8 characters.")
    .max(500)
    .optional()
    .or(z.literal("").transform(() => undefined)),
});
export type TGatewayRegister = z.infer<typeof ZGatewayRegister>;

export const ZGatewayRotate = z.object({ id: ZId, graceHours: z.coerce.number().int().min(0).max(168).default(24) });

/**
 * How long the signed policy stays valid at this gateway, and what its plugin does once it expired
 * without a newer one (a security lead's choice, audited). `ttlHours` empty = the default
 * (WARDEN_POLICY_TTL_SECONDS, 24 h). keep_last is the documented degraded mode: the plugin keeps
 * enforcing the last verified policy and the console lists the gateway as running on an old policy.
 */
export const ZGatewayPolicyExpiry = z.object({
  id: ZId,
  ttlHours: z
    .union([
      z.literal("").transform(() => null),
      z.null(),
      z.coerce
        .number()
        .min(5 / 60, "At least 5 minutes.")
        .max(720, "At most 30 days (720 hours)."),
    ])
    .default(null),
  onExpiry: z.enum(["deny", "keep_last"]),
});
