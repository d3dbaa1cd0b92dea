import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { REDACTED, redact } from "@/lib/redact";
import { fieldErrorsOf } from "@/lib/validation";
import { connectorError, parseGatewayJson } from "@/lib/connector/auth";
import { postureChecks, postureKey, type PostureSeverity } from "./posture";
import { recordInventorySnapshot } from "./inventory-history";
import { reconcileInventory, type ReconcileCounts } from "./reconcile";

const ZName = z.string().trim().min(1, "Required.").max(200);
const ZHash = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, "A SHA-256 hex digest (64 hex characters).")
  .transform((h) => h.toLowerCase());
const ZNames = z.array(z.string().max(200)).max(1000);

const ZShort = z.string().max(100);
const ZAgentsUsing = z.array(z.string().max(200)).max(1000);

/** A tool, pinned by its content hash when known (contract 2: built-in tools carry the OpenClaw build hash). */
const ZInventoryTool = z.object({
  name: ZName,
  kind: z.string().max(50).optional(),
  /** builtin | plugin | mcp | … */
  source: z.string().max(50).optional(),
  /** The plugin id or MCP server name that provides it. */
  owner: z.string().max(200).optional(),
  version: ZShort.optional(),
  hash: ZHash.optional(),
  enabled: z.boolean().optional(),
  /** Gateway agent ids whose effective tools include it. */
  agents: ZAgentsUsing.optional(),
});

/** A skill (its key), pinned by the tree hash of its directory. */
const ZInventorySkill = z.object({
  name: ZName,
  kind: z.string().max(50).optional(),
  source: z.string().max(100).optional(),
  version: ZShort.optional(),
  hash: ZHash.optional(),
  enabled: z.boolean().optional(),
  agents: ZAgentsUsing.optional(),
  /** Shipped inside the OpenClaw package: part of the build (its hash covers it). */
  bundled: z.boolean().optional(),
});

/** A plugin (its id), pinned by the tree hash of its package. */
const ZInventoryPlugin = z.object({
  name: ZName,
  kind: z.string().max(50).optional(),
  source: z.string().max(100).optional(),
  version: ZShort.optional(),
  hash: ZHash.optional(),
  enabled: z.boolean().optional(),
  /** Shipped with OpenClaw (origin "bundled"): part of the build. */
  bundled: z.boolean().optional(),
});

/**
 * An MCP server from the gateway's config. Never env, headers or tokens (unknown keys are
 * dropped); the URL loses userinfo, query and fragment here whatever the plugin sent, and args
 * and command go through redaction like every other string.
 */
const ZInventoryMcpServer = z.object({
  name: ZName,
  transport: z.string().trim().min(1, "Required.").max(50),
  command: z.string().max(1000).optional(),
  args: z.array(z.string().max(1000)).max(100).transform(redactArgs).optional(),
  url: z.string().max(2000).transform(stripUrlSecrets).optional(),
  enabled: z.boolean().optional(),
  hash: ZHash.optional(),
});

/** Keep scheme, host, port and path of a URL; an unparsable one is kept only up to its first "?" or "#", without userinfo. */
export function stripUrlSecrets(raw: string): string {
  try {
    const u = new URL(raw);
    // "user:pass@host/x" parses as scheme "user:" with an opaque path: treat anything without a host as not a URL.
    if (!u.host) throw new Error("no host");
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString();
  } catch {
    // Not a URL: keep what precedes any query or fragment, without anything that looks like userinfo.
    return raw.split(/[?#]/)[0].replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/]*@/i, "$1");
  }
}

/** A command-line flag that names a secret and takes its value as the next argument ("--token abc"). */
const SECRET_FLAG = /^-{1,2}[\w.-]*(token|secret|password|passwd|api[-_]?key|apikey|auth|credential|private[-_]?key|access[-_]?key)[\w.-]*$/i;

/** MCP server args with the value after a secret-naming flag replaced (redact() then handles "--token=…" and known formats). */
export function redactArgs(args: string[]): string[] {
  return args.map((a, i) => (i > 0 && SECRET_FLAG.test(args[i - 1]) ? REDACTED : a));
}

const ZAuditFinding = z.object({
  checkId: ZName,
  severity: z.enum(["critical", "warn", "info"]),
  title: z.string().max(500),
  detail: z.string().max(10_000),
  remediation: z.string().max(10_000).optional(),
});

/** The JSON of OpenClaw's `security audit --json`. */
export const ZSecurityAudit = z.object({
  ts: z.union([z.number(), z.string().max(100)]),
  summary: z.object({ critical: z.number().int().min(0), warn: z.number().int().min(0), info: z.number().int().min(0) }),
  findings: z.array(ZAuditFinding).max(2000),
});

/** The body of POST /api/v1/connector/inventory: what the gateway runs and its posture. */
export const ZInventory = z.object({
  /** The OpenClaw build: its version (e.g. 2026.9.6) and the tree hash of the installed package. */
  openclaw: z.object({ version: z.string().trim().min(1, "Required.").max(100), buildHash: ZHash.optional() }).optional(),
  agents: z
    .array(
      // Loose: per-agent posture in raw OpenClaw shapes (exec, subagents, …) is kept as sent for postureChecks.
      z.looseObject({
        id: ZName,
        name: ZName,
        model: z.string().max(200).optional(),
        fallbackModels: ZNames.optional(),
        channels: ZNames.optional(),
        /** Tool names (the agent's effective tools), or an OpenClaw per-agent tool policy ({allow, deny, exec, …}). */
        tools: z.union([ZNames, z.looseObject({})]).optional(),
        /** deny | allowlist | full (or what the gateway calls it). */
        execMode: z.string().max(50).optional(),
        /** The sandbox mode (e.g. off, non-main, all). */
        sandbox: z.string().max(100).optional(),
        canDelegate: z.boolean().optional(),
        /** Gateway agent ids it may spawn or reach (OpenClaw subagents.allowAgents), or OpenClaw's raw subagents block. */
        subagents: z.union([ZNames, z.boolean(), z.looseObject({})]).optional(),
        workspaceOnly: z.boolean().optional(),
      }),
    )
    .max(1000),
  tools: z.array(ZInventoryTool).max(5000),
  plugins: z.array(ZInventoryPlugin).max(5000).optional(),
  skills: z.array(ZInventorySkill).max(5000).optional(),
  mcpServers: z.array(ZInventoryMcpServer).max(1000).optional(),
  cronJobs: z
    .array(z.object({ id: ZName, name: z.string().max(200).optional(), enabled: z.boolean(), schedule: z.string().max(200).optional() }))
    .max(1000)
    .optional(),
  channels: z
    .array(z.object({ id: ZName, enabled: z.boolean(), connected: z.boolean().optional() }))
    .max(1000)
    .optional(),
  /** Configuration posture: free-form JSON, kept as sent (redacted). */
  config: z.looseObject({ bind: z.string().max(200).optional(), execMode: z.string().max(50).optional() }).optional(),
  securityAudit: ZSecurityAudit.optional(),
});
export type TInventory = z.infer<typeof ZInventory>;

const SEVERITY = { critical: "critical", warn: "medium" } as const;
// Serialises pushes of one gateway so that two at once cannot create the same finding twice.
export const INVENTORY_LOCK = 7_210_002;
/** How far back a tool call through a channel counts as the channel being used. */
const CHANNEL_ACTIVITY_DAYS = 7;

/** A posture finding to upsert, identified within its gateway by `key` (check id plus agent or channel). */
type Wanted = { key: string; checkId: string; severity: PostureSeverity; title: string; detail: Record<string, unknown>; agentExternalId?: string };

/**
 * Store a gateway's inventory and security audit (redacted), upsert a posture finding per
 * critical/warn audit check and per check Warden derives from the inventory (./posture), and audit
 * the push (counts only) in the same transaction. A finding whose check no longer shows keeps its
 * status and lastSeenAt (so "last seen" tells when it was last reported).
 */
export async function storeInventory(
  gateway: { id: string },
  actor: Actor,
  rawBody: string,
): Promise<{ ok: true; value: { stored: true; findings: number; changed: boolean; reconciliation: ReconcileCounts } } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = parseGatewayJson(rawBody);
  } catch {
    return { ok: false, response: connectorError("invalid", { message: "The body is not valid JSON." }) };
  }
  const parsed = ZInventory.safeParse(body);
  if (!parsed.success) return { ok: false, response: connectorError("invalid", { fieldErrors: fieldErrorsOf(parsed.error) }) };

  const { securityAudit: rawAudit, ...rest } = parsed.data;
  const inventory = redact(rest);
  const audit = rawAudit ? redact(rawAudit) : undefined;
  // Postgres refuses NUL in jsonb; a gateway string with one is replaced rather than failing the push.
  const toJson = (v: unknown): Prisma.InputJsonValue => JSON.parse(JSON.stringify(v).replaceAll("\\u0000", "\\ufffd"));

  // One finding per check id: the last occurrence in the report wins.
  const wanted = new Map<string, Wanted>();
  for (const f of audit?.findings ?? []) {
    if (f.severity === "info") continue;
    const key = postureKey(f);
    wanted.set(key, {
      key,
      checkId: f.checkId,
      severity: SEVERITY[f.severity],
      title: f.title || f.checkId,
      detail: { checkId: f.checkId, source: "openclaw security audit", auditSeverity: f.severity, detail: f.detail, ...(f.remediation ? { remediation: f.remediation } : {}), auditTs: audit!.ts },
    });
  }
  // Channels Warden may ask about: enabled ones not already reported disconnected.
  const channelIds = [...new Set((inventory.channels ?? []).filter((c) => c.enabled && c.connected !== false).map((c) => c.id.toLowerCase()))];

  const counts = await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`select pg_advisory_xact_lock(${INVENTORY_LOCK}::int4, hashtext(${gateway.id}))`;
      const now = new Date();
      const stored = toJson(inventory);
      await tx.gateway.update({
        where: { id: gateway.id },
        data: { inventory: stored, ...(audit ? { securityAudit: toJson(audit) } : {}) },
      });
      const history = await recordInventorySnapshot(tx, gateway.id, stored, now);

      // A channel counts as used when a recent tool call of this gateway has its id as a segment of
      // the session key (OpenClaw keys look like "agent:main:slack:channel:C1"). DMs folded into the
      // agent's main session do not name their channel, so such a channel reads as unused: low severity.
      const active = new Set<string>();
      if (channelIds.length) {
        const since = new Date(Date.now() - CHANNEL_ACTIVITY_DAYS * 86_400_000);
        const rows = await tx.$queryRaw<{ id: string }[]>`
        select c.id from unnest(${channelIds}::text[]) as c(id)
        where exists (
          select 1 from tool_calls t
          where t.gateway_id = ${gateway.id}::uuid and t.occurred_at >= ${since} and t.session_key is not null
            and position(':' || c.id || ':' in ':' || lower(t.session_key) || ':') > 0
        )`;
        for (const r of rows) active.add(r.id);
      }
      for (const c of postureChecks(inventory, { activeChannels: active, activityDays: CHANNEL_ACTIVITY_DAYS })) {
        const key = postureKey(c);
        wanted.set(key, {
          key,
          checkId: c.checkId,
          severity: c.severity,
          title: c.title,
          agentExternalId: c.agentId,
          detail: {
            checkId: c.checkId,
            source: "warden inventory",
            detail: c.detail,
            ...(c.agentId ? { agentExternalId: c.agentId } : {}),
            ...(c.agentName ? { agentName: c.agentName } : {}),
            ...(c.channelId ? { channelId: c.channelId } : {}),
            ...(c.evidence ? { evidence: c.evidence } : {}),
          },
        });
      }

      let created = 0;
      let updated = 0;
      if (wanted.size) {
        const checkIds = [...new Set([...wanted.values()].map((w) => w.checkId))];
        const existing = await tx.finding.findMany({
          where: { gatewayId: gateway.id, kind: "posture", toolName: null, OR: checkIds.map((checkId) => ({ detail: { path: ["checkId"], equals: checkId } })) },
          select: { id: true, detail: true },
          orderBy: { firstSeenAt: "asc" },
        });
        const idOf = new Map<string, string>();
        for (const f of existing) {
          const d = (f.detail ?? {}) as { checkId?: unknown; agentExternalId?: unknown; channelId?: unknown };
          if (typeof d.checkId !== "string") continue;
          const key = postureKey({
            checkId: d.checkId,
            agentId: typeof d.agentExternalId === "string" ? d.agentExternalId : undefined,
            channelId: typeof d.channelId === "string" ? d.channelId : undefined,
          });
          if (!idOf.has(key)) idOf.set(key, f.id);
        }
        // Per-agent checks point at the Warden agent registered for that gateway id, when there is one.
        const externalIds = [...new Set([...wanted.values()].flatMap((w) => (w.agentExternalId ? [w.agentExternalId] : [])))];
        const agentIdOf = new Map(
          externalIds.length
            ? (await tx.agent.findMany({ where: { gatewayId: gateway.id, externalId: { in: externalIds } }, select: { id: true, externalId: true } })).map((a) => [a.externalId, a.id])
            : [],
        );
        const fresh = [];
        for (const w of wanted.values()) {
          const agentId = w.agentExternalId ? agentIdOf.get(w.agentExternalId) : undefined;
          const data = { severity: w.severity, title: w.title, detail: toJson(w.detail), lastSeenAt: now, ...(agentId ? { agentId } : {}) };
          const id = idOf.get(w.key);
          // A dismissed finding stays dismissed: only what it says and when it was last seen change.
          if (id) {
            await tx.finding.update({ where: { id }, data });
            updated++;
          } else fresh.push({ ...data, kind: "posture" as const, gatewayId: gateway.id, firstSeenAt: now });
        }
        if (fresh.length) created = (await tx.finding.createMany({ data: fresh })).count;
      }

      const reconciliation = await reconcileInventory(tx, gateway.id, stored, now);

      await recordAudit(tx, actor, {
        action: "gateway.inventory",
        targetType: "gateway",
        targetId: gateway.id,
        after: {
          agents: rest.agents.length,
          tools: rest.tools.length,
          plugins: rest.plugins?.length ?? 0,
          skills: rest.skills?.length ?? 0,
          cronJobs: rest.cronJobs?.length ?? 0,
          channels: rest.channels?.length ?? 0,
          mcpServers: rest.mcpServers?.length ?? 0,
          openclawVersion: rest.openclaw?.version ?? null,
          changed: history.changed,
          ...(history.diff ? { diff: history.diff.summary.slice(0, 1000) } : {}),
          securityAudit: audit ? audit.summary : null,
          findings: { created, updated },
          reconciliation,
        },
      });
      return { created, updated, changed: history.changed, reconciliation };
      // Pushes of one gateway queue on its lock, and a large inventory is reconciled item by item.
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  if (counts.reconciliation.hashDrift) wakeDriftPlaybooks();
  return { ok: true, value: { stored: true, findings: counts.created + counts.updated, changed: counts.changed, reconciliation: counts.reconciliation } };
}

/**
 * After a push opened reconciliation findings, check the hash-drift playbooks at once instead of at
 * the next minute's tick (best effort: the scheduler's tick covers a failure; firing is idempotent).
 */
function wakeDriftPlaybooks() {
  void import("@/lib/playbooks/triggers")
    .then(async ({ evaluatePlaybookTriggers }) => {
      const ids = (await db.playbook.findMany({ where: { trigger: "hash_drift" }, select: { id: true } })).map((p) => p.id);
      if (ids.length) await evaluatePlaybookTriggers({ playbookIds: ids });
    })
    .catch((err) => console.error("warden: hash-drift playbooks after an inventory push failed", err));
}
