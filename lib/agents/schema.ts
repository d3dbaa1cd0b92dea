import { z } from "zod";

const ZName = z
  .string()
  .trim()
  .min(1, "Required.")
  .max(80)
  .regex(/^[a-z0-9][a-z0-9-_.]*$/, "Lower-case letters, digits, - _ . only.");
const ZList = z.array(z.string().trim().min(1).max(120)).max(50);

export const ZPosture = z.object({
  fsWorkspaceOnly: z.boolean().default(true),
  execMode: z.enum(["deny", "allowlist", "full"]).default("deny"),
  canDelegate: z.boolean().default(false),
  dmPolicy: z.enum(["disabled", "pairing", "allowlist", "open"]).default("pairing"),
  groupPolicy: z.enum(["disabled", "allowlist", "open"]).default("allowlist"),
  /** The gateway's sandbox mode for the agent (OpenClaw: off, non-main, all), when known. */
  sandbox: z
    .string()
    .trim()
    .max(50)
    .regex(/^[A-Za-z0-9_.:-]*$/, "Letters, digits, - _ . : only.")
    .optional(),
});

// The fields once, without defaults: creating fills the defaults, updating changes only what is sent.
const fields = {
  name: ZName,
  owner: z.string().trim().min(1, "Required.").max(120),
  /** The team the agent belongs to (lib/teams); null: none. */
  teamId: z.uuid("Choose a team.").nullable(),
  purpose: z.string().trim().min(1, "Required.").max(1000),
  gatewayId: z.uuid().nullable(),
  scope: z.enum(["internal", "external"]),
  channels: ZList,
  model: z.string().trim().max(120),
  fallbackModels: ZList,
  /** Names of secrets only: values are refused. */
  credentialRefs: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Z][A-Z0-9_]{1,63}$/, "Name the secret (e.g. SENDGRID_API_KEY), never its value."),
    )
    .max(50),
  posture: ZPosture,
};

export const ZAgentCreate = z.object({
  ...fields,
  /** The agent's id on its gateway (OpenClaw agents.list id); defaults to the name. */
  externalId: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(200)
    .regex(/^[^\u0000-\u001f\u007f]+$/, "No control characters.")
    .optional(),
  teamId: fields.teamId.optional(),
  gatewayId: fields.gatewayId.optional(),
  scope: fields.scope.default("internal"),
  channels: fields.channels.default([]),
  model: fields.model.optional(),
  fallbackModels: fields.fallbackModels.default([]),
  credentialRefs: fields.credentialRefs.default([]),
  posture: ZPosture.default(ZPosture.parse({})),
});

/** PATCH semantics: only the keys sent change. */
export const ZAgentUpdate = z
  .object({
    id: z.uuid(),
    status: z.enum(["active", "suspended", "quarantined"]).optional(),
    ...(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]> }),
  })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
