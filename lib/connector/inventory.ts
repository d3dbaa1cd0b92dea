import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { redact } from "@/lib/redact";
import { fieldErrorsOf } from "@/lib/validation";
import { connectorError } from "./auth";

const ZName = z.string().trim().min(1, "Required.").max(200);
const ZHash = z.string().regex(/^[0-9a-fA-F]{64}$/, "A SHA-256 hex digest (64 hex characters).").transform((h) => h.toLowerCase());
const ZNames = z.array(z.string().max(200)).max(1000);

/** A tool, skill or plugin the gateway runs, pinned by its content hash when known. */
const ZInventoryTool = z.object({
  name: ZName,
  kind: z.string().max(50).optional(),
  version: z.string().max(100).optional(),
  hash: ZHash.optional(),
  enabled: z.boolean().optional(),
});

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
  agents: z
    .array(
      z.object({
        id: ZName,
        name: ZName,
        model: z.string().max(200).optional(),
        fallbackModels: ZNames.optional(),
        channels: ZNames.optional(),
        tools: ZNames.optional(),
      }),
    )
    .max(1000),
  tools: z.array(ZInventoryTool).max(5000),
  plugins: z.array(ZInventoryTool).max(5000).optional(),
  skills: z.array(ZInventoryTool).max(5000).optional(),
  cronJobs: z.array(z.object({ id: ZName, name: z.string().max(200).optional(), enabled: z.boolean() })).max(1000).optional(),
  channels: z.array(z.object({ id: ZName, enabled: z.boolean(), connected: z.boolean().optional() })).max(1000).optional(),
  /** Configuration posture: free-form JSON, kept as sent (redacted). */
  config: z.looseObject({ bind: z.string().max(200).optional(), execMode: z.string().max(50).optional() }).optional(),
  securityAudit: ZSecurityAudit.optional(),
});
export type TInventory = z.infer<typeof ZInventory>;

const SEVERITY = { critical: "critical", warn: "medium" } as const;
// Serialises pushes of one gateway so that two at once cannot create the same finding twice.
const INVENTORY_LOCK = 7_210_002;

/**
 * Store a gateway's inventory and security audit (redacted), upsert a posture finding per
 * critical/warn audit check, and audit the push (counts only) in the same transaction.
 */
export async function storeInventory(gateway: { id: string }, actor: Actor, rawBody: string): Promise<{ ok: true; value: { stored: true; findings: number } } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
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
  const checks = new Map<string, { checkId: string; severity: "critical" | "warn"; title: string; detail: string; remediation?: string }>();
  for (const f of audit?.findings ?? []) if (f.severity !== "info") checks.set(f.checkId, { ...f, severity: f.severity });

  const counts = await db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(${INVENTORY_LOCK}::int4, hashtext(${gateway.id}))`;
    await tx.gateway.update({
      where: { id: gateway.id },
      data: { inventory: toJson(inventory), ...(audit ? { securityAudit: toJson(audit) } : {}) },
    });

    let created = 0;
    let updated = 0;
    if (checks.size) {
      const existing = await tx.finding.findMany({
        where: { gatewayId: gateway.id, kind: "posture", toolName: null, OR: [...checks.keys()].map((checkId) => ({ detail: { path: ["checkId"], equals: checkId } })) },
        select: { id: true, detail: true },
        orderBy: { firstSeenAt: "asc" },
      });
      const idOf = new Map<string, string>();
      for (const f of existing) {
        const checkId = (f.detail as { checkId?: unknown } | null)?.checkId;
        if (typeof checkId === "string" && !idOf.has(checkId)) idOf.set(checkId, f.id);
      }
      const now = new Date();
      const fresh = [];
      for (const c of checks.values()) {
        const data = {
          severity: SEVERITY[c.severity],
          title: c.title || c.checkId,
          detail: toJson({ checkId: c.checkId, source: "openclaw security audit", auditSeverity: c.severity, detail: c.detail, ...(c.remediation ? { remediation: c.remediation } : {}), auditTs: audit!.ts }),
          lastSeenAt: now,
        };
        const id = idOf.get(c.checkId);
        // A dismissed finding stays dismissed: only what it says and when it was last seen change.
        if (id) {
          await tx.finding.update({ where: { id }, data });
          updated++;
        } else fresh.push({ ...data, kind: "posture" as const, gatewayId: gateway.id, firstSeenAt: now });
      }
      if (fresh.length) created = (await tx.finding.createMany({ data: fresh })).count;
    }

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
        securityAudit: audit ? audit.summary : null,
        findings: { created, updated },
      },
    });
    return { created, updated };
  });
  return { ok: true, value: { stored: true, findings: counts.created + counts.updated } };
}
