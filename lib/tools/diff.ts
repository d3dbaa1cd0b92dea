import { describeApprovalConditions } from "./conditions";

// The review diff: what a requested tool version changes against the last approved version of the
// same tool. Pure and bounded: stored permissions are JSON from outside (a requester, an old row,
// the seed), so every value is read defensively, lists and keys are capped, and nothing is echoed
// at unbounded length. Computed on the server; the component only renders it.

/** One side of the comparison, as stored. `permissions` is untrusted JSON. */
export type VersionSide = { version: string; contentHash: string; publisher: string; source: string; permissions: unknown };
/** The last approval: the version it approved, when, and its conditions (untrusted JSON). */
export type ApprovedSide = VersionSide & { outcome: "approve" | "approve_with_conditions"; decidedAt: Date; decider: string; conditions: unknown };

export type PermissionChange = {
  /** Stable key: the permission, plus the list item for list permissions. */
  key: string;
  label: string;
  kind: "added" | "removed" | "changed";
  from?: string;
  to?: string;
  /** An addition that widens what the tool can reach (network egress, exec, file writes, credentials). */
  risky: boolean;
  note?: string;
};

export type VersionDiff =
  | { first: true; version: string }
  | {
      first: false;
      baseline: { version: string; outcome: ApprovedSide["outcome"]; decidedAt: Date; decider: string; conditions: { enforced: string[]; recorded: string[] } | null };
      permissions: { changes: PermissionChange[]; omitted: number; risky: number; becomesCredEgress: boolean };
      hash: { from: string; to: string; changed: boolean; sameVersionNumber: boolean };
      publisher: { from: string; to: string; changed: boolean; caseOnly: boolean };
      source: { from: string; to: string; changed: boolean };
    };

/** At most this many permission changes are listed; the rest are counted. */
export const MAX_CHANGES = 100;
const MAX_ITEMS = 500;
const MAX_OTHER_KEYS = 20;
const MAX_TEXT = 200;

const FLAGS = [
  ["fsRead", "Read files", false],
  ["fsWrite", "Write files", true],
  ["exec", "Run commands (exec)", true],
  ["credentialAccess", "Credential access", true],
] as const;
const LISTS = [
  ["egressHosts", "Network egress"],
  ["pathPrefixes", "Files limited to"],
  ["commandPatterns", "Commands limited to"],
] as const;
const KNOWN = new Set<string>([...FLAGS.map((f) => f[0]), ...LISTS.map((l) => l[0])]);

/** Text safe to show: control characters made visible, cut to a length a person reads. */
export function clip(s: string, max = MAX_TEXT): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).toWellFormed();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Own enumerable entries into a Map, so a key such as `__proto__` is just a key. */
function entriesOf(raw: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (!isPlainObject(raw)) return m;
  for (const k of Object.keys(raw)) m.set(k, raw[k]);
  return m;
}

/** A flag is on when true, a non-empty list (older rows list credential names) or a non-empty string. */
function flagOn(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "string") return v.trim() !== "" && v.trim().toLowerCase() !== "false";
  return v === true || (typeof v === "number" && v !== 0);
}

/** A list permission's items: strings only (others shown by type), trimmed, deduplicated, capped. */
function listOf(v: unknown, key: string): string[] {
  if (!Array.isArray(v)) return [];
  const out = new Set<string>();
  for (const x of v.slice(0, MAX_ITEMS)) {
    const s = typeof x === "string" ? x.trim() : `(${summarise(x)})`;
    if (!s) continue;
    out.add(clip(key === "egressHosts" ? s.toLowerCase() : s));
  }
  return [...out];
}

/** A short, bounded description of any JSON value (no stringify of a huge value). */
export function summarise(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (typeof v === "string") return `"${clip(v, 80)}"`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return `an object with ${Object.keys(v).length} keys`;
  return typeof v;
}

/** Compare a requested version with the last approved one; null baseline = a first version. */
export function diffToolVersions(requested: VersionSide, approved: ApprovedSide | null): VersionDiff {
  if (!approved) return { first: true, version: clip(requested.version) };
  const before = entriesOf(approved.permissions);
  const after = entriesOf(requested.permissions);
  const changes: PermissionChange[] = [];

  for (const [key, label, risky] of FLAGS) {
    const a = flagOn(before.get(key));
    const b = flagOn(after.get(key));
    if (a !== b) changes.push({ key, label, kind: b ? "added" : "removed", risky: risky && b });
  }
  for (const [key, label] of LISTS) {
    const a = listOf(before.get(key), key);
    const b = listOf(after.get(key), key);
    const had = new Set(a);
    const has = new Set(b);
    // Egress hosts widen with every addition. Path prefixes and command patterns narrow: an empty
    // list means "not limited", so an addition widens only if the list limited before, and emptying
    // a list lifts the limit.
    for (const x of b) {
      if (had.has(x)) continue;
      const widens = key === "egressHosts" || a.length > 0;
      changes.push({ key: `${key}:${x}`, label, kind: "added", to: x, risky: widens, ...(key === "egressHosts" && x.startsWith("*.") ? { note: "every subdomain" } : {}) });
    }
    for (const x of a) if (!has.has(x)) changes.push({ key: `${key}:${x}`, label, kind: "removed", from: x, risky: false });
    if (key !== "egressHosts" && a.length > 0 && b.length === 0) {
      changes.push({ key: `${key}:*`, label, kind: "changed", from: `${a.length} limit${a.length === 1 ? "" : "s"}`, to: "not limited", risky: true, note: "the limit is lifted" });
    }
  }
  // Keys Warden does not know: shown as changed so nothing passes unseen, without judging them.
  const others = new Set<string>();
  for (const k of [...before.keys(), ...after.keys()]) if (!KNOWN.has(k)) others.add(k);
  let otherCount = 0;
  for (const k of others) {
    const a = before.has(k) ? summarise(before.get(k)) : null;
    const b = after.has(k) ? summarise(after.get(k)) : null;
    if (sameValue(before.get(k), after.get(k), before.has(k) === after.has(k))) continue;
    if (++otherCount > MAX_OTHER_KEYS) break;
    const label = `Other: ${clip(k, 60)}`;
    if (a === null) changes.push({ key: `other:${k}`, label, kind: "added", to: b!, risky: false });
    else if (b === null) changes.push({ key: `other:${k}`, label, kind: "removed", from: a, risky: false });
    else changes.push({ key: `other:${k}`, label, kind: "changed", from: a, to: b, risky: false });
  }

  const credEgress = (m: Map<string, unknown>) => flagOn(m.get("credentialAccess")) && listOf(m.get("egressHosts"), "egressHosts").length > 0;
  const risky = changes.filter((c) => c.risky).length;
  // Risky changes first, so a cap never hides one.
  const ordered = [...changes.filter((c) => c.risky), ...changes.filter((c) => !c.risky)];
  const fromHash = String(approved.contentHash).toLowerCase();
  const toHash = String(requested.contentHash).toLowerCase();
  const pubFrom = approved.publisher.trim();
  const pubTo = requested.publisher.trim();
  return {
    first: false,
    baseline: {
      version: clip(approved.version),
      outcome: approved.outcome,
      decidedAt: approved.decidedAt,
      decider: approved.decider,
      conditions: approved.outcome === "approve_with_conditions" && approved.conditions != null ? describeApprovalConditions(approved.conditions) : null,
    },
    permissions: { changes: ordered.slice(0, MAX_CHANGES), omitted: Math.max(0, ordered.length - MAX_CHANGES), risky, becomesCredEgress: credEgress(after) && !credEgress(before) },
    hash: { from: clip(fromHash, 128), to: clip(toHash, 128), changed: fromHash !== toHash, sameVersionNumber: approved.version === requested.version },
    publisher: { from: clip(pubFrom), to: clip(pubTo), changed: pubFrom !== pubTo, caseOnly: pubFrom !== pubTo && pubFrom.toLowerCase() === pubTo.toLowerCase() },
    source: { from: clip(approved.source), to: clip(requested.source), changed: approved.source !== requested.source },
  };
}

/** Deep equality through JSON text (values were parsed from JSON, so this is linear in their size). */
function sameValue(a: unknown, b: unknown, bothPresent: boolean): boolean {
  if (!bothPresent) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
