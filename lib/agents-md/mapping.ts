import type { Degradation, FieldDiff, TIntegrationEntry, TToolEntry } from "./schema";

/**
 * The one mapping between Integration rows and AGENTS.md entries. Diffs compare values in the
 * document's own form (dates as YYYY-MM-DD), so an exported file imports back as "unchanged".
 */

/** The Integration columns AGENTS.md reads and writes. */
export const INTEGRATION_SELECT = {
  id: true,
  name: true,
  provider: true,
  providerVerified: true,
  reason: true,
  permissions: true,
  auditDate: true,
  auditResult: true,
  dependencyStatus: true,
  securityContactName: true,
  securityContactEmail: true,
  securityContactPhone: true,
  disclosureProcess: true,
  irPartner: true,
  nextReviewAt: true,
  degradation: true,
} as const;

export type IntegrationRow = {
  id: string;
  name: string;
  provider: string;
  providerVerified: boolean;
  reason: string;
  permissions: string[];
  auditDate: Date | null;
  auditResult: string | null;
  dependencyStatus: string | null;
  securityContactName: string | null;
  securityContactEmail: string | null;
  securityContactPhone: string | null;
  disclosureProcess: string | null;
  irPartner: string | null;
  nextReviewAt: Date | null;
  degradation: unknown;
};

type DocValue = string | boolean | string[] | null;
/** Document fields in export order; security_contact is flattened to security_contact.name etc. */
export const DOC_FIELDS = [
  "provider",
  "provider_verified",
  "reason",
  "permissions",
  "audit_date",
  "audit_result",
  "dependency_status",
  "security_contact.name",
  "security_contact.email",
  "security_contact.phone",
  "disclosure_process",
  "ir_partner",
  "next_review",
] as const;
export type DocField = (typeof DOC_FIELDS)[number];

/** A UTC day as written in AGENTS.md. */
export function toDay(d: Date | null): string | null {
  return d ? d.toISOString().slice(0, 10) : null;
}

/** YYYY-MM-DD → midnight UTC. */
export function fromDay(s: string | null): Date | null {
  return s ? new Date(`${s}T00:00:00.000Z`) : null;
}

/** A row's values as AGENTS.md writes them. */
export function docFieldsOfRow(row: IntegrationRow): Record<DocField, DocValue> {
  return {
    provider: row.provider,
    provider_verified: row.providerVerified,
    reason: row.reason,
    permissions: row.permissions,
    audit_date: toDay(row.auditDate),
    audit_result: row.auditResult,
    dependency_status: row.dependencyStatus,
    "security_contact.name": row.securityContactName,
    "security_contact.email": row.securityContactEmail,
    "security_contact.phone": row.securityContactPhone,
    disclosure_process: row.disclosureProcess,
    ir_partner: row.irPartner,
    next_review: toDay(row.nextReviewAt),
  };
}

/** The fields an entry sets: a key left out of the file leaves the column as it is; null clears it. */
export function docFieldsOfEntry(e: TIntegrationEntry): Partial<Record<DocField, DocValue>> {
  const out: Partial<Record<DocField, DocValue>> = {
    provider: e.provider,
    reason: e.reason,
    permissions: e.permissions,
    audit_date: e.audit_date,
    audit_result: e.audit_result,
  };
  if (e.provider_verified !== undefined) out.provider_verified = e.provider_verified;
  if (e.dependency_status !== undefined) out.dependency_status = e.dependency_status;
  if (e.security_contact === null) {
    out["security_contact.name"] = out["security_contact.email"] = out["security_contact.phone"] = null;
  } else if (e.security_contact) {
    const c = e.security_contact;
    if (c.name !== undefined) out["security_contact.name"] = c.name;
    if (c.email !== undefined) out["security_contact.email"] = c.email;
    if (c.phone !== undefined) out["security_contact.phone"] = c.phone;
  }
  if (e.disclosure_process !== undefined) out.disclosure_process = e.disclosure_process;
  if (e.ir_partner !== undefined) out.ir_partner = e.ir_partner;
  if (e.next_review !== undefined) out.next_review = e.next_review;
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Field diffs of an entry against a row (or against nothing, for a new integration). */
export function diffIntegration(row: IntegrationRow | null, entry: TIntegrationEntry): FieldDiff[] {
  const next = docFieldsOfEntry(entry);
  const current = row ? docFieldsOfRow(row) : null;
  const diffs: FieldDiff[] = [];
  for (const field of DOC_FIELDS) {
    if (!(field in next)) continue;
    const before = current ? current[field] : null;
    const after = next[field] ?? null;
    if (current && same(before, after)) continue;
    if (!current && after === null) continue;
    diffs.push({ field, before, after });
  }
  return diffs;
}

const COLUMN: Record<DocField, string> = {
  provider: "provider",
  provider_verified: "providerVerified",
  reason: "reason",
  permissions: "permissions",
  audit_date: "auditDate",
  audit_result: "auditResult",
  dependency_status: "dependencyStatus",
  "security_contact.name": "securityContactName",
  "security_contact.email": "securityContactEmail",
  "security_contact.phone": "securityContactPhone",
  disclosure_process: "disclosureProcess",
  ir_partner: "irPartner",
  next_review: "nextReviewAt",
};

/** Column values for Prisma from field diffs (only what changes). */
export function columnsOfDiffs(diffs: FieldDiff[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const d of diffs) {
    const field = d.field as DocField;
    data[COLUMN[field]] = field === "audit_date" || field === "next_review" ? fromDay(d.after as string | null) : d.after;
  }
  return data;
}

/** The stored degradation JSON in its canonical shape, or null when absent or malformed. */
export function degradationOf(json: unknown): Degradation | null {
  if (!json || typeof json !== "object" || Array.isArray(json)) return null;
  const j = json as Record<string, unknown>;
  if (typeof j.primary !== "string" || typeof j.onFailure !== "string") return null;
  return {
    primary: j.primary,
    fallback: typeof j.fallback === "string" && j.fallback ? j.fallback : null,
    onFailure: j.onFailure,
    maxRetries: typeof j.maxRetries === "number" ? j.maxRetries : 0,
    toolId: typeof j.toolId === "string" ? j.toolId : "",
  };
}

/** A tools: entry as the degradation JSON of its primary integration. */
export function degradationOfTool(t: TToolEntry): Degradation {
  return { primary: t.primary, fallback: t.fallback ?? null, onFailure: t.on_failure, maxRetries: t.max_retries, toolId: t.id };
}

export function sameDegradation(a: Degradation | null, b: Degradation | null): boolean {
  return same(a, b);
}
