/**
 * What a gateway reported (inventory, `security audit --json`) is untrusted JSON: it matched the
 * connector schema when it arrived, but a stored row may predate a schema change or have been
 * written by other means. Pages read it only through these readers, which accept any JSON and
 * return display-ready values (strings, finite numbers, valid dates or null), so a page renders
 * whatever it finds.
 */

export type AuditFindingView = { checkId: string; severity: "critical" | "warn" | "info"; title: string; detail: string; remediation: string };
export type SecurityAuditView = { ranAt: Date | null; summary: { critical: number; warn: number; info: number }; findings: AuditFindingView[]; findingCount: number };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Text to show for a scalar JSON value (objects and arrays show as nothing). */
export function reportText(v: unknown, max = 2000): string {
  if (typeof v === "string") return v.slice(0, max);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

/**
 * A reported time: Unix milliseconds (OpenClaw's `ts`), Unix seconds, or a date string. Null when
 * it is none of these or outside the years 1970–9999.
 */
export function reportDate(v: unknown): Date | null {
  let d: Date | null = null;
  if (typeof v === "number" && Number.isFinite(v)) d = new Date(v > 0 && v < 1e11 ? v * 1000 : v);
  else if (typeof v === "string" && v.length <= 100) d = /^\d{9,13}$/.test(v) ? reportDate(Number(v)) : new Date(v);
  if (!d || Number.isNaN(d.getTime())) return null;
  const y = d.getUTCFullYear();
  return y >= 1970 && y <= 9999 ? d : null;
}

const SEVERITIES = new Set(["critical", "warn", "info"]);

/** The stored security audit as the gateway page shows it (null when there is none). */
export function readSecurityAudit(stored: unknown, maxFindings = 30): SecurityAuditView | null {
  if (!isObj(stored)) return null;
  const summary = isObj(stored.summary) ? stored.summary : {};
  const list = Array.isArray(stored.findings) ? stored.findings : [];
  const findings = list
    .filter(isObj)
    .slice(0, maxFindings)
    .map((f) => ({
      checkId: reportText(f.checkId, 200),
      severity: (SEVERITIES.has(f.severity as string) ? f.severity : "info") as AuditFindingView["severity"],
      title: reportText(f.title, 500) || reportText(f.checkId, 200) || "(untitled)",
      detail: reportText(f.detail),
      remediation: reportText(f.remediation),
    }));
  return { ranAt: reportDate(stored.ts), summary: { critical: count(summary.critical), warn: count(summary.warn), info: count(summary.info) }, findings, findingCount: list.length };
}

/** The stored inventory as pretty JSON text for display (any JSON value; never throws). */
export function inventoryText(stored: unknown, maxChars = 200_000): string {
  let text: string;
  try {
    text = JSON.stringify(stored, null, 2) ?? "";
  } catch {
    text = "";
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (truncated)` : text;
}
