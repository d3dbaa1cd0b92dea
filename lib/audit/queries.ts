import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { AUDIT_FILTER_VALUES } from "./actions";

export const ZAuditFilter = z.object({
  q: z.string().trim().max(200).optional(),
  /** One action (exact) or a category prefix ("user.", "read:"), from lib/audit/actions.ts. */
  action: z
    .string()
    .trim()
    .refine((v) => AUDIT_FILTER_VALUES.includes(v), "Not an audit action or category.")
    .optional(),
  outcome: z.enum(["success", "denied", "failure"]).optional(),
  actor: z.string().trim().max(254).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type TAuditFilter = z.infer<typeof ZAuditFilter>;

/** A page of audit events, newest first, with the total for pagination. */
export async function listAuditEvents(f: TAuditFilter) {
  const where: Prisma.AuditEventWhereInput = {
    ...(f.action ? { action: /[.:]$/.test(f.action) ? { startsWith: f.action } : f.action } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.actor ? { actorLabel: { contains: f.actor, mode: "insensitive" } } : {}),
    ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
    ...(f.q ? { OR: [{ action: { contains: f.q, mode: "insensitive" } }, { targetId: { contains: f.q } }, { actorLabel: { contains: f.q, mode: "insensitive" } }] } : {}),
  };
  const [rows, total] = await Promise.all([db.auditEvent.findMany({ where, orderBy: { id: "desc" }, skip: (f.page - 1) * f.pageSize, take: f.pageSize }), db.auditEvent.count({ where })]);
  return {
    total,
    page: f.page,
    pageSize: f.pageSize,
    events: rows.map((r) => ({ ...r, id: r.id.toString() })),
  };
}
export type AuditPage = Awaited<ReturnType<typeof listAuditEvents>>;
