/**
 * What changed between two inventory reports of a gateway (pure; used by the history and its
 * page). Items are matched by identity per section (agents and channels and cron jobs by id,
 * tools by owner and name, skills, plugins and MCP servers by name); an item's other fields are
 * compared as canonical JSON, with order-free lists (an agent's tools, channels, the agents using
 * an item) sorted first so that a gateway listing the same things in another order changes nothing.
 */
import { createHash } from "node:crypto";

export const INVENTORY_SECTIONS = ["agents", "tools", "skills", "plugins", "mcpServers", "channels", "cronJobs"] as const;
export type InventorySection = (typeof INVENTORY_SECTIONS)[number];

export const SECTION_LABELS: Record<InventorySection | "openclaw" | "config", string> = {
  openclaw: "OpenClaw",
  agents: "Agents",
  tools: "Tools",
  skills: "Skills",
  plugins: "Plugins",
  mcpServers: "MCP servers",
  channels: "Channels",
  cronJobs: "Cron jobs",
  config: "Configuration",
};

export type FieldChange = { field: string; before: string | null; after: string | null };
export type ItemChange = { name: string; fields: FieldChange[] };
export type SectionDiff = { added: string[]; removed: string[]; changed: ItemChange[]; omitted?: number };
export type InventoryDiff = { sections: Partial<Record<InventorySection | "openclaw" | "config", SectionDiff>>; summary: string };

/** Per section and list at most this many entries are kept in a diff; the rest is counted in `omitted`. */
const MAX_ENTRIES = 200;
/** A field value in a diff is cut to this many characters. */
const MAX_VALUE = 300;
/** Lists whose order carries no meaning (fallbackModels and MCP args keep theirs). */
const UNORDERED = new Set(["agents", "tools", "channels", "subagents"]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const clip = (s: string) => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s);

/** The same value with object keys sorted and order-free string lists sorted, recursively. */
function canonical(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x));
    return key && UNORDERED.has(key) && items.every((x) => typeof x === "string") ? [...(items as string[])].sort() : items;
  }
  if (isObj(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k], k)]),
    );
  return v;
}

/** The identity of an item within its section. */
export function itemKey(section: InventorySection, item: unknown): string {
  const o = isObj(item) ? item : {};
  const id = String(o.id ?? o.name ?? "");
  if (section === "tools" && typeof o.owner === "string" && o.owner) return `${o.owner}/${o.name}`;
  return id;
}

function itemsOf(inv: Obj, section: InventorySection): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const list = Array.isArray(inv[section]) ? (inv[section] as unknown[]) : [];
  for (const item of list) if (isObj(item)) out.set(itemKey(section, item), canonical(item) as Obj);
  return out;
}

/** The inventory in canonical form: sections sorted by identity, keys sorted. */
export function canonicalInventory(inventory: unknown): Obj {
  const inv = isObj(inventory) ? inventory : {};
  const out: Obj = {};
  for (const k of Object.keys(inv).sort()) {
    if (k === "securityAudit") continue;
    const section = (INVENTORY_SECTIONS as readonly string[]).includes(k) ? (k as InventorySection) : null;
    if (section && Array.isArray(inv[k])) out[k] = [...itemsOf(inv, section).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    else out[k] = canonical(inv[k], k);
  }
  return out;
}

/** SHA-256 hex of the canonical JSON: equal for two reports of the same content. */
export function inventoryContentHash(inventory: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonicalInventory(inventory)))
    .digest("hex");
}

const show = (v: unknown): string | null => (v === undefined ? null : clip(typeof v === "string" ? v : JSON.stringify(v)));

function fieldChanges(before: Obj, after: Obj, skip: string[] = []): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (skip.includes(f)) continue;
    const b = JSON.stringify(before[f]);
    const a = JSON.stringify(after[f]);
    if (a !== b) out.push({ field: f, before: show(before[f]), after: show(after[f]) });
  }
  return out;
}

function bound(d: SectionDiff): SectionDiff | undefined {
  if (!d.added.length && !d.removed.length && !d.changed.length) return undefined;
  const omitted = Math.max(0, d.added.length - MAX_ENTRIES) + Math.max(0, d.removed.length - MAX_ENTRIES) + Math.max(0, d.changed.length - MAX_ENTRIES);
  return { added: d.added.slice(0, MAX_ENTRIES), removed: d.removed.slice(0, MAX_ENTRIES), changed: d.changed.slice(0, MAX_ENTRIES), ...(omitted ? { omitted } : {}) };
}

/** What changed from `before` to `after` (both inventories as stored), with a one-line summary. */
export function diffInventories(before: unknown, after: unknown): InventoryDiff {
  const b = canonicalInventory(before);
  const a = canonicalInventory(after);
  const sections: InventoryDiff["sections"] = {};
  const words: string[] = [];

  const oc = fieldChanges(isObj(b.openclaw) ? b.openclaw : {}, isObj(a.openclaw) ? a.openclaw : {});
  if (oc.length) {
    sections.openclaw = { added: [], removed: [], changed: [{ name: "openclaw", fields: oc }] };
    const v = oc.find((f) => f.field === "version");
    words.push(v ? `OpenClaw ${v.before ?? "?"} → ${v.after ?? "?"}` : "OpenClaw build changed");
  }
  for (const section of INVENTORY_SECTIONS) {
    const bi = itemsOf(b, section);
    const ai = itemsOf(a, section);
    const d: SectionDiff = { added: [], removed: [], changed: [] };
    for (const [k, item] of ai) {
      const old = bi.get(k);
      if (!old) d.added.push(k);
      else {
        const fields = fieldChanges(old, item);
        if (fields.length) d.changed.push({ name: k, fields });
      }
    }
    for (const k of bi.keys()) if (!ai.has(k)) d.removed.push(k);
    const bounded = bound(d);
    if (!bounded) continue;
    sections[section] = bounded;
    const label = SECTION_LABELS[section].toLowerCase();
    const parts = [d.added.length && `${d.added.length} added`, d.removed.length && `${d.removed.length} removed`, d.changed.length && `${d.changed.length} changed`].filter(Boolean);
    words.push(`${label}: ${parts.join(", ")}`);
  }
  const cfg = fieldChanges(isObj(b.config) ? b.config : {}, isObj(a.config) ? a.config : {});
  if (cfg.length) {
    sections.config = { added: [], removed: [], changed: [{ name: "config", fields: cfg.slice(0, MAX_ENTRIES) }] };
    words.push(
      `configuration: ${cfg
        .map((f) => f.field)
        .slice(0, 5)
        .join(", ")}${cfg.length > 5 ? "…" : ""}`,
    );
  }
  return { sections, summary: words.length ? words.join("; ") : "no change" };
}
