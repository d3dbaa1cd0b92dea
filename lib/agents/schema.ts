import { z } from "zod";

const ZName = z.string().trim().min(1, "Required.").max(80).regex(/^[a-z0-9][a-z0-9-_.]*$/, "Lower-case letters, digits, - _ . only.");
const ZList = z.array(z.string().trim().min(1).max(120)).max(50);

export const ZPosture = z.object({
  fsWorkspaceOnly: z.boolean().default(true),
  execMode: z.enum(["deny", "allowlist", "full"]).default("deny"),
  canDelegate: z.boolean().default(false),
  dmPolicy: z.enum(["disabled", "pairing", "allowlist", "open"]).default("pairing"),
  groupPolicy: z.enum(["disabled", "allowlist", "open"]).default("allowlist"),
});

export const ZAgentCreate = z.object({
  name: ZName,
  owner: z.string().trim().min(1, "Required.").max(120),
  team: z.string().trim().max(120).optional(),
  purpose: z.string().trim().min(1, "Required.").max(1000),
  gatewayId: z.uuid().nullable().optional(),
  scope: z.enum(["internal", "external"]).default("internal"),
  channels: ZList.default([]),
  model: z.string().trim().max(120).optional(),
  fallbackModels: ZList.default([]),
  /** Names of secrets only: values are refused. */
  credentialRefs: z.array(z.string().trim().regex(/^[A-Z][A-Z0-9_]{1,63}$/, "Name the secret (e.g. SENDGRID_API_KEY), never its value.")).max(50).default([]),
  posture: ZPosture.default(ZPosture.parse({})),
});
export const ZAgentUpdate = ZAgentCreate.partial().extend({ id: z.uuid(), status: z.enum(["active", "suspended", "quarantined"]).optional() });
