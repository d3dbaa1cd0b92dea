import { z } from "zod";

// The directory: people whose messages make agents act, the sender identities a gateway reports
// for them (OpenClaw ctx.requester: channel, account, sender), and groups of people. The bounds and
// trimming of a sender identity are those of normalizeRequester (lib/people/keys.ts), so an identity
// entered here has the key a gateway computes for the same sender.

const noControl = /^[^\u0000-\u001f\u007f]*$/;
const ZDisplayName = z.string().trim().min(1, "Required.").max(120).regex(noControl, "No control characters.");
/** Empty means none. */
const ZEmail = z
  .string()
  .trim()
  .max(254)
  .transform((s) => s.toLowerCase())
  .pipe(z.union([z.literal(""), z.email("An email address, e.g. ana@example.com.")]))
  .transform((s) => (s === "" ? null : s));
const ZOptionalId = z.union([z.literal(""), z.null(), z.uuid()]).transform((v) => (v ? v : null));

export const ZIdentity = z.object({
  /** The channel as OpenClaw names it (telegram, slack, discord, whatsapp, …); stored lower case. */
  channel: z
    .string()
    .trim()
    .min(1, "Required.")
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "Letters, digits, - _ . : only (e.g. telegram).")
    .transform((s) => s.toLowerCase()),
  /** The channel account (OpenClaw accountId, e.g. "default"); empty when the channel has none. */
  accountId: z.string().trim().max(200).regex(noControl, "No control characters.").default(""),
  /** The sender's id on that channel, exactly as the gateway reports it. */
  senderId: z.string().trim().min(1, "Required.").max(200).regex(noControl, "No control characters."),
});
export type TIdentity = z.infer<typeof ZIdentity>;

export const ZPersonCreate = z.object({
  displayName: ZDisplayName,
  email: ZEmail.optional(),
  /** The person's team; a team-scoped user's people are always in their team. */
  teamId: ZOptionalId.optional(),
  /** The console user this person is, if any. */
  userId: ZOptionalId.optional(),
  identities: z.array(ZIdentity).max(20).default([]),
});

/** PATCH semantics: only the keys sent change. */
export const ZPersonUpdate = z
  .object({ id: z.uuid(), displayName: ZDisplayName.optional(), email: ZEmail.optional(), teamId: ZOptionalId.optional(), userId: ZOptionalId.optional() })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });

export const ZPersonId = z.object({ id: z.uuid() });

export const ZIdentityAdd = ZIdentity.extend({ personId: z.uuid() });
export const ZIdentityRemove = z.object({ personId: z.uuid(), identityId: z.uuid() });

const ZGroupName = z.string().trim().min(1, "Required.").max(80).regex(noControl, "No control characters.");
const ZDescription = z.string().trim().max(500).regex(noControl, "No control characters.");

export const ZGroupCreate = z.object({ name: ZGroupName, description: ZDescription.default(""), teamId: ZOptionalId.optional() });
export const ZGroupUpdate = z
  .object({ id: z.uuid(), name: ZGroupName.optional(), description: ZDescription.optional(), teamId: ZOptionalId.optional() })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
export const ZGroupId = z.object({ id: z.uuid() });
export const ZGroupMember = z.object({ groupId: z.uuid(), personId: z.uuid() });
