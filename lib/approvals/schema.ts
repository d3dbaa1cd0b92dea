import { z } from "zod";
import { patternProblem } from "./pattern";
import { normalizeRequester } from "@/lib/people/keys";

// Shared by the forms, the server actions, the console API and the connector endpoints.

export const RULE_SCOPES = ["tool", "agent_tool"] as const;
export const APPROVAL_STATUSES = ["pending", "allowed", "denied", "expired"] as const;
export const DECISIONS = ["allow_once", "allow_for", "deny"] as const;
export const OUTCOMES = ["ran", "denied", "timed_out", "failed"] as const;

/** Rule timeout bounds (seconds): default 2 min, at most 30 min. */
export const DEFAULT_TIMEOUT_SECONDS = 120;
export const MIN_TIMEOUT_SECONDS = 10;
export const MAX_TIMEOUT_SECONDS = 1800;
/** "Allow this agent this tool for N minutes": at most a day. */
export const MAX_GRANT_MINUTES = 1440;

const ZId = z.uuid("Not a valid id.");
const noNul = (s: string) => !s.includes("\u0000");
const text = (max: number) => z.string({ message: "Required." }).trim().min(1, "Required.").max(max, `At most ${max} characters.`).refine(noNul, "Must not contain NUL characters.");

/** A tool name as gateways report it (built-ins, plugin and MCP tools). */
export const ZToolName = z
  .string({ message: "Required." })
  .trim()
  .min(1, "Required.")
  .max(200, "At most 200 characters.")
  .regex(/^[A-Za-z0-9_.:/-]+$/, "Letters, digits and _ . : / - only.");

/** A dotted parameter path such as `command` or `options.url` (no prototype keys). */
export const ZParamPath = z
  .string({ message: "Required." })
  .trim()
  .min(1, "Required.")
  .max(200, "At most 200 characters.")
  .regex(/^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$/, "A parameter name, or a dotted path such as options.url (at most 8 parts).")
  .refine((p) => !p.split(".").some((s) => s === "__proto__" || s === "constructor" || s === "prototype"), "Not a parameter name.");

/** A parameter pattern: a safe, bounded regular expression (see pattern.ts). */
export const ZPattern = z.string({ message: "Required." }).superRefine((p, ctx) => {
  const problem = patternProblem(p);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** What a rule matches beyond the tool: a parameter pattern, or egress to a host outside the agent's approved data flows. */
export const ZRuleMatch = z.discriminatedUnion("type", [z.object({ type: z.literal("param"), path: ZParamPath, pattern: ZPattern }), z.object({ type: z.literal("egress_not_approved") })], {
  message: "type: param or egress_not_approved.",
});
export type TRuleMatch = z.infer<typeof ZRuleMatch>;

const ZTimeout = z
  .number({ message: "A number of seconds." })
  .int("Whole seconds.")
  .min(MIN_TIMEOUT_SECONDS, `At least ${MIN_TIMEOUT_SECONDS} seconds.`)
  .max(MAX_TIMEOUT_SECONDS, `At most ${MAX_TIMEOUT_SECONDS} seconds (30 minutes).`);

export const ZApprovalRuleCreate = z
  .object({
    scope: z.enum(RULE_SCOPES, { message: "tool or agent_tool." }),
    toolName: ZToolName,
    agentId: ZId.optional().nullable(),
    match: ZRuleMatch.optional().nullable(),
    timeoutSeconds: ZTimeout.default(DEFAULT_TIMEOUT_SECONDS),
    reason: text(500),
  })
  .superRefine((v, ctx) => {
    if (v.scope === "agent_tool" && !v.agentId) ctx.addIssue({ code: "custom", path: ["agentId"], message: "Choose the agent." });
    if (v.scope === "tool" && v.agentId) ctx.addIssue({ code: "custom", path: ["agentId"], message: "A rule for every agent has no agent: use scope agent_tool." });
  });
export type TApprovalRuleCreate = z.infer<typeof ZApprovalRuleCreate>;

/** PATCH semantics: only the keys sent change; `enabled: false` disables the rule. */
export const ZApprovalRuleUpdate = z
  .object({
    id: ZId,
    match: ZRuleMatch.nullable().optional(),
    timeoutSeconds: ZTimeout.optional(),
    reason: text(500).optional(),
    enabled: z.boolean({ message: "true or false." }).optional(),
  })
  .refine((v) => Object.entries(v).some(([k, val]) => k !== "id" && val !== undefined), { message: "Send at least one field to change.", path: ["_"] });
export type TApprovalRuleUpdate = z.infer<typeof ZApprovalRuleUpdate>;

/** A person's decision on a pending approval: always with a reason. */
export const ZApprovalDecision = z
  .object({
    id: ZId,
    decision: z.enum(DECISIONS, { message: "allow_once, allow_for or deny." }),
    minutes: z
      .number({ message: "A number of minutes." })
      .int("Whole minutes.")
      .min(1, "At least 1 minute.")
      .max(MAX_GRANT_MINUTES, `At most ${MAX_GRANT_MINUTES} minutes (a day).`)
      .optional()
      .nullable(),
    reason: text(1000),
  })
  .superRefine((v, ctx) => {
    if (v.decision === "allow_for" && !v.minutes) ctx.addIssue({ code: "custom", path: ["minutes"], message: "For how many minutes?" });
    if (v.decision !== "allow_for" && v.minutes) ctx.addIssue({ code: "custom", path: ["minutes"], message: "Only for allow_for." });
  });
export type TApprovalDecision = z.infer<typeof ZApprovalDecision>;

// ── Connector (gateway → Warden) ──

/** params are capped like tool-call events (64 KiB of JSON). */
export const MAX_PARAMS_BYTES = 64 * 1024;

const ZGatewayText = (max: number) => z.string().max(max, `At most ${max} characters.`).refine(noNul, "Must not contain NUL characters.");

/** POST /api/v1/connector/approvals: a call the plugin holds until a person decides. */
export const ZConnectorApproval = z.object({
  requestId: z.uuid("A UUID made by the plugin."),
  toolCallId: ZGatewayText(200).min(1, "Required."),
  agentId: ZGatewayText(200).min(1, "Required."),
  sessionKey: ZGatewayText(500).optional(),
  runId: ZGatewayText(200).optional(),
  toolName: ZGatewayText(200).min(1, "Required."),
  toolVersion: ZGatewayText(100).optional(),
  params: z.unknown().superRefine((value, ctx) => {
    const json = JSON.stringify(value);
    if (value === undefined || json === undefined) ctx.addIssue({ code: "custom", message: "Required (send {} for none)." });
    else if (Buffer.byteLength(json) > MAX_PARAMS_BYTES) ctx.addIssue({ code: "custom", message: `Larger than ${MAX_PARAMS_BYTES} bytes of JSON.` });
  }),
  paramsHash: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "A SHA-256 hex digest (64 hex characters).")
    .transform((h) => h.toLowerCase()),
  ruleId: ZGatewayText(200).optional(),
  reason: ZGatewayText(1000).min(1, "Required."),
  timeoutMs: z
    .number()
    .int("Whole milliseconds.")
    .min(MIN_TIMEOUT_SECONDS * 1000, "At least 10000 ms.")
    .max(MAX_TIMEOUT_SECONDS * 1000, "At most 1800000 ms (30 minutes)."),
  /** Who asked (the ORIGINATING requester for a delegated call): kept only as the plugin's normalized, bounded fields. */
  requester: z
    .unknown()
    .transform((r) => normalizeRequester(r))
    .optional(),
  /** The delegation chain of gateway agent ids (first agent … calling agent); [] or absent for a direct call. */
  chain: z.array(ZGatewayText(200).min(1, "Required.")).max(16, "At most 16 agents.").optional(),
  tier: z.enum(["interactive", "subagent"], { message: "interactive or subagent." }).optional(),
});
export type TConnectorApproval = z.infer<typeof ZConnectorApproval>;

/** POST /api/v1/connector/approvals/{id}/resolution: what happened at the gateway. */
export const ZApprovalResolution = z.object({
  outcome: z.enum(OUTCOMES, { message: "ran, denied, timed_out or failed." }),
  waitedMs: z
    .number()
    .int("Whole milliseconds.")
    .min(0)
    .max(24 * 3_600_000),
  detail: ZGatewayText(2000).optional(),
});
export type TApprovalResolution = z.infer<typeof ZApprovalResolution>;
