import "server-only";
import semver from "semver";
import type { Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { FindingKind, Severity } from "@/lib/generated/prisma/enums";
import { FINDINGS_LOCK } from "@/lib/findings/compute";

/**
 * Reconciliation of a gateway's inventory against the registry, as findings that link to the fix
 * (docs/gateways.md "Reconciliation"). Runs in the inventory push's transaction, under the
 * gateway's advisory lock and the findings lock, so two replicas or two pushes never create one
 * finding twice. Each finding carries `detail.source = "inventory"`, a `reconcileKey` (what it is
 * about) and a `signature` (the state it describes):
 * - none stored for the key, or the latest one resolved → a new open finding;
 * - the latest open (or handed to an incident) → updated in place, lastSeenAt moves;
 * - the latest dismissed → stays dismissed while the signature is the same (lastSeenAt moves);
 *   a different signature (another hash, another posture difference) opens a new finding;
 * - an open finding whose cause is gone → status `resolved`, with `detail.resolvedAt` and
 *   `detail.resolvedNote` saying why (removed, disabled, approved, registered, …).
 */

export const RECONCILED_KINDS = ["unapproved_item", "hash_drift", "unregistered_agent", "posture_drift", "advisory"] as const satisfies readonly FindingKind[];
type ReconciledKind = (typeof RECONCILED_KINDS)[number];

/** Inventory section → registry Tool kind (contract 2). */
export const ITEM_KINDS = { skills: "skill", plugins: "plugin", mcpServers: "mcp_server", tools: "tool" } as const;
type ItemSection = keyof typeof ITEM_KINDS;
type ItemKind = (typeof ITEM_KINDS)[ItemSection];
const ITEM_LABEL: Record<ItemKind, string> = { skill: "Skill", plugin: "Plugin", mcp_server: "MCP server", tool: "Tool" };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((x) => (str(x) ? [str(x)!] : [])) : []);
const short = (h: string) => (h.length > 12 ? `${h.slice(0, 12)}…` : h);
const q = (params: Record<string, string | undefined>) => new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]))).toString();

export type Wanted = {
  kind: ReconciledKind;
  key: string;
  signature: string;
  severity: Severity;
  title: string;
  toolName?: string | null;
  agentId?: string | null;
  /** Where the fix is: a page in Warden. */
  fixUrl: string;
  fixLabel: string;
  detail: Obj;
};

/** `hashDrift`: of the created, how many are hash drift (the push then wakes the hash-drift playbooks). */
export type ReconcileCounts = { created: number; updated: number; resolved: number; hashDrift: number };

export type RegistryTool = { id: string; name: string; kind: string; approvedHashes: string[]; approvedVersions: string[] };

/** The registry's tools with these names, each with the hashes its current trust decisions approve. */
export async function registryTools(tx: Tx, names: string[]): Promise<Map<string, RegistryTool>> {
  if (!names.length) return new Map();
  const rows = await tx.tool.findMany({
    where: { name: { in: names } },
    select: {
      id: true,
      name: true,
      kind: true,
      versions: { select: { version: true, contentHash: true, decisions: { orderBy: { decidedAt: "desc" }, take: 1, select: { outcome: true, revokedAt: true } } } },
    },
  });
  return new Map(
    rows.map((t) => {
      // As the effective allowlist reads it: a version is approved when its latest decision approves and is not revoked.
      const approved = t.versions.filter((v) => v.decisions[0] && !v.decisions[0].revokedAt && v.decisions[0].outcome !== "reject");
      return [t.name, { id: t.id, name: t.name, kind: t.kind, approvedHashes: [...new Set(approved.map((v) => v.contentHash.toLowerCase()))], approvedVersions: approved.map((v) => v.version) }];
    }),
  );
}

/** The reported posture of one inventory agent, in the registry's terms (undefined: not reported). */
export function reportedPosture(a: Obj) {
  const subagents = a.subagents;
  const sub = Array.isArray(subagents) ? strs(subagents) : isObj(subagents) ? strs(subagents.allowAgents ?? subagents.allow) : [];
  const canDelegate = typeof a.canDelegate === "boolean" ? a.canDelegate : Array.isArray(subagents) ? sub.length > 0 : undefined;
  return {
    model: str(a.model),
    fallbackModels: Array.isArray(a.fallbackModels) ? strs(a.fallbackModels) : undefined,
    execMode: str(a.execMode)?.toLowerCase(),
    canDelegate,
    sandbox: str(a.sandbox),
    workspaceOnly: typeof a.workspaceOnly === "boolean" ? a.workspaceOnly : undefined,
    subagents: sub,
  };
}

export type PostureDifference = { field: string; label: string; registry: string; reported: string; riskier: boolean };

const POSTURE_LABELS: Record<string, string> = {
  model: "Model",
  fallbackModels: "Fallback models",
  execMode: "Exec mode",
  canDelegate: "Delegation",
  sandbox: "Sandbox",
  workspaceOnly: "Workspace only",
};
const EXEC_RANK: Record<string, number> = { deny: 0, allowlist: 1, full: 2 };

/** Where a registry agent and the gateway's report of it differ; only fields the gateway reported are compared. */
export function postureDifferences(registry: { model: string | null; fallbackModels: string[]; posture: unknown }, reportedAgent: Obj): PostureDifference[] {
  const r = reportedPosture(reportedAgent);
  const p = isObj(registry.posture) ? registry.posture : {};
  const out: PostureDifference[] = [];
  const add = (field: string, reg: string, rep: string, riskier: boolean) => out.push({ field, label: POSTURE_LABELS[field], registry: reg, reported: rep, riskier });
  if (r.model !== undefined && r.model !== (registry.model ?? undefined)) add("model", registry.model ?? "not set", r.model, false);
  if (r.fallbackModels !== undefined && JSON.stringify(r.fallbackModels) !== JSON.stringify(registry.fallbackModels)) {
    add(
      "fallbackModels",
      registry.fallbackModels.join(", ") || "none",
      r.fallbackModels.join(", ") || "none",
      r.fallbackModels.some((m) => !registry.fallbackModels.includes(m)),
    );
  }
  const regExec = str(p.execMode)?.toLowerCase();
  if (r.execMode !== undefined && r.execMode !== regExec) add("execMode", regExec ?? "not set", r.execMode, (EXEC_RANK[r.execMode] ?? 2) > (EXEC_RANK[regExec ?? "deny"] ?? 0));
  const regDelegate = typeof p.canDelegate === "boolean" ? p.canDelegate : undefined;
  if (r.canDelegate !== undefined && r.canDelegate !== regDelegate)
    add(
      "canDelegate",
      regDelegate === undefined ? "not set" : regDelegate ? "allowed" : "not allowed",
      r.canDelegate ? `allowed${r.subagents.length ? ` (${r.subagents.join(", ")})` : ""}` : "not allowed",
      r.canDelegate,
    );
  const regWs = typeof p.fsWorkspaceOnly === "boolean" ? p.fsWorkspaceOnly : undefined;
  if (r.workspaceOnly !== undefined && r.workspaceOnly !== regWs) add("workspaceOnly", regWs === undefined ? "not set" : regWs ? "yes" : "no", r.workspaceOnly ? "yes" : "no", !r.workspaceOnly);
  // The registry records a sandbox mode only when someone set one; otherwise the reported mode is shown, not flagged.
  const regSandbox = str(p.sandbox);
  if (r.sandbox !== undefined && regSandbox !== undefined && r.sandbox !== regSandbox) add("sandbox", regSandbox, r.sandbox, r.sandbox === "off");
  return out;
}

type Advisory = { id: string; product: string; versionRange: string; severity: Severity; title: string; url: string | null; note: string | null };

/** Does this reported version fall in the advisory's range? A version or range semver cannot read matches nothing. */
export function versionAffected(version: string, range: string): boolean {
  const v = semver.valid(semver.clean(version) ?? version) ?? semver.coerce(version)?.version ?? null;
  if (!v || semver.validRange(range) === null) return false;
  return semver.satisfies(v, range, { includePrerelease: true });
}

/** Advisory findings for a gateway reporting this OpenClaw version. */
export function advisoryWanted(version: string | undefined, advisories: Advisory[]): Wanted[] {
  if (!version) return [];
  return advisories
    .filter((a) => a.product.toLowerCase() === "openclaw" && versionAffected(version, a.versionRange))
    .map((a) => ({
      kind: "advisory" as const,
      key: `advisory:${a.id}`,
      signature: version,
      severity: a.severity,
      title: `OpenClaw ${version} is affected by an advisory: ${a.title}`,
      fixUrl: a.url ?? "/gateways/advisories",
      fixLabel: a.url ? "Read the advisory" : "Advisories",
      detail: { advisoryId: a.id, product: a.product, versionRange: a.versionRange, version, ...(a.url ? { url: a.url } : {}), ...(a.note ? { note: a.note } : {}) },
    }));
}

/** Every finding the inventory calls for, against the registry as it is in this transaction. */
async function inventoryWanted(tx: Tx, gatewayId: string, inv: Obj): Promise<{ wanted: Wanted[]; whyGone: (kind: string, detail: Obj) => string }> {
  const wanted: Wanted[] = [];
  const items: { section: ItemSection; item: Obj }[] = [];
  for (const section of Object.keys(ITEM_KINDS) as ItemSection[]) {
    for (const item of Array.isArray(inv[section]) ? inv[section] : []) if (isObj(item) && str(item.name)) items.push({ section, item });
  }
  const registry = await registryTools(tx, [...new Set(items.map((i) => str(i.item.name)!))]);

  for (const { section, item } of items) {
    const name = str(item.name)!;
    const kind = ITEM_KINDS[section];
    if (item.enabled === false) continue;
    const hash = str(item.hash)?.toLowerCase();
    const version = str(item.version);
    const reg = registry.get(name);
    const sameKind = reg && reg.kind === kind ? reg : undefined;
    // Skills and plugins shipped inside the OpenClaw package are part of the build, which the
    // built-in tools' approvals pin and advisories cover: no finding of their own unless the
    // registry names them (then drift is checked like any item).
    if (item.bundled === true && !sameKind) continue;
    if (section !== "tools" && (!sameKind || sameKind.approvedHashes.length === 0)) {
      // Skills, plugins and MCP servers need an approved trust decision to run at all; tools are governed per agent by the allowlist.
      const why = !reg ? "is not in the registry" : reg.kind !== kind ? `is registered as a ${reg.kind.replace("_", " ")}, not a ${kind.replace("_", " ")}` : "has no approved version";
      wanted.push({
        kind: "unapproved_item",
        key: `unapproved_item:${kind}:${name}`,
        signature: hash ?? version ?? "",
        severity: "high",
        title: `${ITEM_LABEL[kind]} ${name} is enabled but ${why}`,
        toolName: name,
        fixUrl: sameKind ? `/tools/${sameKind.id}` : `/tools/requests/new?${q({ name, kind, version, hash })}`,
        fixLabel: sameKind ? "Review it in the registry" : "Request a review",
        detail: {
          itemKind: kind,
          name,
          ...(version ? { version } : {}),
          ...(hash ? { seenHash: hash } : {}),
          registryStatus: !reg ? "not_in_registry" : reg.kind !== kind ? "other_kind" : "not_approved",
          ...(reg ? { toolId: reg.id } : {}),
          ...(Array.isArray(item.agents) ? { agents: strs(item.agents).slice(0, 50) } : {}),
        },
      });
      continue;
    }
    if (sameKind && hash && sameKind.approvedHashes.length && !sameKind.approvedHashes.includes(hash)) {
      wanted.push({
        kind: "hash_drift",
        key: `hash_drift:${kind}:${name}:${hash}`,
        signature: hash,
        severity: "critical",
        title: `${ITEM_LABEL[kind]} ${name} runs an unapproved build (hash ${short(hash)})`,
        toolName: name,
        fixUrl: `/tools/${sameKind.id}`,
        fixLabel: "Review the approved versions",
        detail: {
          itemKind: kind,
          name,
          seenHash: hash,
          approvedHashes: sameKind.approvedHashes,
          approvedVersions: sameKind.approvedVersions,
          ...(version ? { version } : {}),
          toolId: sameKind.id,
          ...(Array.isArray(item.agents) ? { agents: strs(item.agents).slice(0, 50) } : {}),
        },
      });
    }
  }

  const agents = (Array.isArray(inv.agents) ? inv.agents : []).filter(isObj).filter((a) => str(a.id));
  const registered = agents.length
    ? await tx.agent.findMany({
        where: { gatewayId, externalId: { in: agents.map((a) => str(a.id)!) } },
        select: { id: true, name: true, externalId: true, model: true, fallbackModels: true, posture: true },
      })
    : [];
  const byExternal = new Map(registered.map((a) => [a.externalId!, a]));
  const seen = new Set<string>();
  for (const a of agents) {
    const externalId = str(a.id)!;
    if (seen.has(externalId)) continue;
    seen.add(externalId);
    const reg = byExternal.get(externalId);
    const name = str(a.name) ?? externalId;
    if (!reg) {
      const r = reportedPosture(a);
      wanted.push({
        kind: "unregistered_agent",
        key: `unregistered_agent:${externalId}`,
        signature: "",
        severity: "medium",
        title: `Agent ${name === externalId ? externalId : `${name} (${externalId})`} runs on the gateway but is not in the registry`,
        fixUrl: `/agents/new?${q({ gateway: gatewayId, agent: externalId })}`,
        fixLabel: "Register it",
        detail: {
          externalId,
          name,
          ...(r.model ? { model: r.model } : {}),
          ...(r.fallbackModels ? { fallbackModels: r.fallbackModels } : {}),
          posture: { execMode: r.execMode, canDelegate: r.canDelegate, sandbox: r.sandbox, workspaceOnly: r.workspaceOnly },
        },
      });
      continue;
    }
    const diffs = postureDifferences(reg, a);
    if (!diffs.length) continue;
    wanted.push({
      kind: "posture_drift",
      key: `posture_drift:${reg.id}`,
      signature: JSON.stringify(diffs.map((d) => [d.field, d.reported])),
      severity: diffs.some((d) => d.riskier) ? "high" : "medium",
      title: `${reg.name} on the gateway differs from the registry: ${diffs.map((d) => d.label.toLowerCase()).join(", ")}`,
      agentId: reg.id,
      fixUrl: `/agents/${reg.id}`,
      fixLabel: "Review the agent",
      detail: { externalId, agentName: reg.name, differences: diffs },
    });
  }

  const version = isObj(inv.openclaw) ? str(inv.openclaw.version) : undefined;
  if (version) wanted.push(...advisoryWanted(version, await tx.advisory.findMany({ select: ADVISORY_SELECT })));

  const itemIn = (kind: string, name: string) => {
    const section = (Object.keys(ITEM_KINDS) as ItemSection[]).find((s) => ITEM_KINDS[s] === kind);
    return section && Array.isArray(inv[section]) ? (inv[section] as unknown[]).filter(isObj).find((i) => i.name === name) : undefined;
  };
  const whyGone = (kind: string, d: Obj): string => {
    if (kind === "unapproved_item" || kind === "hash_drift") {
      const item = itemIn(String(d.itemKind), String(d.name));
      if (!item) return "No longer reported by the gateway (removed).";
      if (item.enabled === false) return "Disabled on the gateway.";
      if (kind === "unapproved_item") return "Approved in the registry.";
      return str(item.hash)?.toLowerCase() === d.seenHash ? "This hash is now approved (or the item has no approved version any more)." : "The gateway now runs another build.";
    }
    if (kind === "unregistered_agent") return agents.some((a) => a.id === d.externalId) ? "Registered." : "No longer reported by the gateway.";
    if (kind === "posture_drift") return agents.some((a) => a.id === d.externalId) ? "The registry and the gateway agree." : "No longer reported by the gateway.";
    if (kind === "advisory") return version ? `OpenClaw ${version} is not affected (or the advisory was deleted).` : "The gateway no longer reports its OpenClaw version.";
    return "No longer applies.";
  };
  return { wanted, whyGone };
}

export const ADVISORY_SELECT = { id: true, product: true, versionRange: true, severity: true, title: true, url: true, note: true } as const;

type Stored = { id: string; kind: string; status: string; detail: unknown; firstSeenAt: Date };

const toJson = (v: unknown): Prisma.InputJsonValue => JSON.parse(JSON.stringify(v).replaceAll("\\u0000", "\\ufffd"));

/**
 * Upsert `wanted` against the stored reconciliation findings of these kinds for the gateway, and
 * resolve the open ones no longer wanted. The caller holds the gateway's inventory lock; this takes
 * the findings lock (the one dismissals take) so a dismissal is never overwritten.
 */
export async function applyReconciliation(
  tx: Tx,
  gatewayId: string,
  kinds: readonly ReconciledKind[],
  wanted: Wanted[],
  whyGone: (kind: string, detail: Obj) => string,
  now: Date,
): Promise<ReconcileCounts> {
  await tx.$executeRaw`select pg_advisory_xact_lock(${FINDINGS_LOCK})`;
  const stored: Stored[] = await tx.finding.findMany({
    where: { gatewayId, kind: { in: [...kinds] }, detail: { path: ["source"], equals: "inventory" } },
    select: { id: true, kind: true, status: true, detail: true, firstSeenAt: true },
    orderBy: [{ firstSeenAt: "desc" }, { id: "asc" }],
  });
  // The newest finding per key is the current one; older ones are history.
  const current = new Map<string, Stored>();
  for (const f of stored) {
    const key = isObj(f.detail) ? str(f.detail.reconcileKey) : undefined;
    if (key && !current.has(key)) current.set(key, f);
  }
  const counts: ReconcileCounts = { created: 0, updated: 0, resolved: 0, hashDrift: 0 };
  const fresh: Prisma.FindingCreateManyInput[] = [];
  const wantedKeys = new Set<string>();
  for (const w of wanted) {
    if (wantedKeys.has(w.key)) continue;
    wantedKeys.add(w.key);
    const detail = { ...w.detail, source: "inventory", reconcileKey: w.key, signature: w.signature, fixUrl: w.fixUrl, fixLabel: w.fixLabel };
    const cur = current.get(w.key);
    const old = cur && isObj(cur.detail) ? cur.detail : {};
    if (cur && (cur.status === "open" || cur.status === "incident" || (cur.status === "dismissed" && old.signature === w.signature))) {
      // Keep what people added (dismissedAt/By); the rest says what the gateway reports now.
      const keep = Object.fromEntries(Object.entries(old).filter(([k]) => k === "dismissedAt" || k === "dismissedBy"));
      await tx.finding.update({
        where: { id: cur.id },
        data: {
          ...(cur.status === "dismissed" ? {} : { severity: w.severity, title: w.title.slice(0, 500) }),
          detail: toJson({ ...detail, ...keep }),
          lastSeenAt: now,
          ...(w.agentId ? { agentId: w.agentId } : {}),
        },
      });
      counts.updated++;
      continue;
    }
    fresh.push({
      kind: w.kind,
      severity: w.severity,
      status: "open",
      gatewayId,
      agentId: w.agentId ?? null,
      toolName: w.toolName ?? null,
      title: w.title.slice(0, 500),
      detail: toJson(detail),
      firstSeenAt: now,
      lastSeenAt: now,
    });
  }
  if (fresh.length) counts.created = (await tx.finding.createMany({ data: fresh })).count;
  counts.hashDrift = fresh.filter((f) => f.kind === "hash_drift").length;
  for (const [key, f] of current) {
    if (wantedKeys.has(key) || f.status !== "open") continue;
    const d = isObj(f.detail) ? f.detail : {};
    const r = await tx.finding.updateMany({
      where: { id: f.id, status: "open" },
      data: { status: "resolved", detail: toJson({ ...d, resolvedAt: now.toISOString(), resolvedNote: whyGone(f.kind, d) }) },
    });
    counts.resolved += r.count;
  }
  return counts;
}

/** Reconcile one inventory push (in its transaction, under the gateway's lock). */
export async function reconcileInventory(tx: Tx, gatewayId: string, inventory: unknown, now: Date): Promise<ReconcileCounts> {
  const inv = isObj(inventory) ? inventory : {};
  const { wanted, whyGone } = await inventoryWanted(tx, gatewayId, inv);
  return applyReconciliation(tx, gatewayId, RECONCILED_KINDS, wanted, whyGone, now);
}

/**
 * Re-evaluate advisory findings of every gateway that reported an OpenClaw version (after an
 * advisory is added or deleted), in the caller's transaction. Takes each gateway's inventory lock
 * in id order, so it serialises with pushes without deadlocking.
 */
export async function reevaluateAdvisories(tx: Tx, inventoryLock: number, now: Date): Promise<ReconcileCounts> {
  const ids = await tx.$queryRaw<{ id: string }[]>`select id::text as id from gateways order by id`;
  // Every lock before any work: a push holds its gateway's lock and then waits for the findings lock,
  // so taking the findings lock between two gateway locks could deadlock with it.
  for (const g of ids) await tx.$executeRaw`select pg_advisory_xact_lock(${inventoryLock}::int4, hashtext(${g.id}))`;
  const gateways = await tx.$queryRaw<{ id: string; version: string | null }[]>`
    select id::text as id, inventory #>> '{openclaw,version}' as version from gateways order by id`;
  const advisories = await tx.advisory.findMany({ select: ADVISORY_SELECT });
  const total: ReconcileCounts = { created: 0, updated: 0, resolved: 0, hashDrift: 0 };
  for (const g of gateways) {
    const version = g.version ?? undefined;
    const c = await applyReconciliation(
      tx,
      g.id,
      ["advisory"],
      advisoryWanted(version, advisories),
      () => (version ? `OpenClaw ${version} is not affected (or the advisory was deleted).` : "The gateway does not report its OpenClaw version."),
      now,
    );
    total.created += c.created;
    total.updated += c.updated;
    total.resolved += c.resolved;
  }
  return total;
}

/** An agent was registered for a gateway id: its unregistered_agent finding is resolved (in the registering transaction). */
export async function resolveRegisteredAgent(tx: Tx, agent: { id: string; name: string; gatewayId: string | null; externalId: string | null }): Promise<number> {
  if (!agent.gatewayId || !agent.externalId) return 0;
  const open = await tx.finding.findMany({
    where: {
      gatewayId: agent.gatewayId,
      kind: "unregistered_agent",
      status: "open",
      AND: [{ detail: { path: ["source"], equals: "inventory" } }, { detail: { path: ["externalId"], equals: agent.externalId } }],
    },
    select: { id: true, detail: true },
  });
  let n = 0;
  for (const f of open) {
    const d = isObj(f.detail) ? f.detail : {};
    n += (
      await tx.finding.updateMany({
        where: { id: f.id, status: "open" },
        data: { status: "resolved", agentId: agent.id, detail: toJson({ ...d, resolvedAt: new Date().toISOString(), resolvedNote: `Registered as ${agent.name}.` }) },
      })
    ).count;
  }
  return n;
}
