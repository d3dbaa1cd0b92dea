import "server-only";
import { db } from "@/lib/db";
import { gatewayWhereOf, type TeamScope } from "@/lib/teams/scope";
import { ITEM_KINDS, postureDifferences, registryTools, reportedPosture } from "./reconcile";

/**
 * The stored inventory of a gateway shaped for its page: one row list per section, each item with
 * its registry status (approved / not in registry / not approved / hash drift) and the agents
 * using it. Tolerant of older stored shapes: anything it cannot read is left out, never thrown.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 300): string | undefined => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((x) => (str(x) ? [str(x)!] : [])).slice(0, 200) : []);
const bool = (v: unknown): boolean | null => (typeof v === "boolean" ? v : null);
const list = (inv: Obj, k: string): Obj[] => (Array.isArray(inv[k]) ? (inv[k] as unknown[]).filter(isObj).slice(0, 5000) : []);

export type RegistryStatus = "approved" | "not_in_registry" | "not_approved" | "other_kind" | "hash_drift" | "not_pinned" | "bundled";
export type ItemRow = {
  name: string;
  source?: string;
  owner?: string;
  version?: string;
  hash?: string;
  enabled: boolean | null;
  agents: string[];
  transport?: string;
  target?: string;
  registry: { status: RegistryStatus; href: string | null };
};
export type AgentRow = {
  id: string;
  name: string;
  model?: string;
  fallbackModels: string[];
  execMode?: string;
  sandbox?: string;
  canDelegate: boolean | null;
  subagents: string[];
  workspaceOnly: boolean | null;
  tools: number | null;
  registered: { id: string; name: string } | null;
};
export type InventoryView = {
  openclaw: { version?: string; buildHash?: string } | null;
  agents: AgentRow[];
  tools: ItemRow[];
  skills: ItemRow[];
  plugins: ItemRow[];
  mcpServers: ItemRow[];
  channels: { id: string; enabled: boolean | null; connected: boolean | null }[];
  cronJobs: { id: string; name?: string; enabled: boolean | null; schedule?: string }[];
};

/** The gateway's inventory as readable rows with registry status, or null when it never reported one. */
export async function readInventoryView(gatewayId: string, stored: unknown): Promise<InventoryView | null> {
  if (!isObj(stored)) return null;
  const inv = stored;
  const sections = Object.keys(ITEM_KINDS) as (keyof typeof ITEM_KINDS)[];
  const names = [...new Set(sections.flatMap((s) => list(inv, s).flatMap((i) => (str(i.name, 200) ? [str(i.name, 200)!] : []))))];
  const registry = await registryTools(db, names);
  const agents = list(inv, "agents").filter((a) => str(a.id, 200));
  const registered = agents.length ? await db.agent.findMany({ where: { gatewayId, externalId: { in: agents.map((a) => str(a.id, 200)!) } }, select: { id: true, name: true, externalId: true } }) : [];
  const byExternal = new Map(registered.map((a) => [a.externalId, { id: a.id, name: a.name }]));

  // Which agents use a tool: the item's own list, else the agents whose effective tools name it.
  const toolsOfAgent = new Map(agents.map((a) => [str(a.id, 200)!, new Set(strs(a.tools))]));
  const usersOf = (name: string) => [...toolsOfAgent].filter(([, t]) => t.has(name)).map(([id]) => id);

  const rows = (section: keyof typeof ITEM_KINDS): ItemRow[] =>
    list(inv, section).flatMap((i) => {
      const name = str(i.name, 200);
      if (!name) return [];
      const kind = ITEM_KINDS[section];
      const hash = str(i.hash, 64)?.toLowerCase();
      const reg = registry.get(name);
      let status: RegistryStatus;
      if (!reg) status = i.bundled === true ? "bundled" : "not_in_registry";
      else if (reg.kind !== kind) status = "other_kind";
      else if (!reg.approvedHashes.length) status = "not_approved";
      else if (!hash) status = "not_pinned";
      else status = reg.approvedHashes.includes(hash) ? "approved" : "hash_drift";
      const href = reg
        ? `/tools/${reg.id}`
        : section === "tools"
          ? null
          : `/tools/requests/new?${new URLSearchParams({ name, kind, ...(str(i.version, 100) ? { version: str(i.version, 100)! } : {}), ...(hash ? { hash } : {}) })}`;
      const target = str(i.url, 2000) ?? [str(i.command, 1000), ...strs(i.args)].filter(Boolean).join(" ");
      return [
        {
          name,
          source: str(i.source, 100),
          owner: str(i.owner, 200),
          version: str(i.version, 100),
          hash,
          enabled: bool(i.enabled),
          agents: Array.isArray(i.agents) ? strs(i.agents) : section === "tools" ? usersOf(name) : [],
          transport: str(i.transport, 50),
          target: target ? target.slice(0, 500) : undefined,
          registry: { status, href },
        },
      ];
    });

  const oc = isObj(inv.openclaw) ? { version: str(inv.openclaw.version, 100), buildHash: str(inv.openclaw.buildHash, 64) } : null;
  return {
    openclaw: oc,
    agents: agents.map((a) => {
      const p = reportedPosture(a);
      const id = str(a.id, 200)!;
      return {
        id,
        name: str(a.name, 200) ?? id,
        model: p.model,
        fallbackModels: p.fallbackModels ?? [],
        execMode: p.execMode,
        sandbox: p.sandbox,
        canDelegate: p.canDelegate ?? null,
        subagents: p.subagents,
        workspaceOnly: p.workspaceOnly ?? null,
        tools: Array.isArray(a.tools) ? a.tools.length : null,
        registered: byExternal.get(id) ?? null,
      };
    }),
    tools: rows("tools"),
    skills: rows("skills"),
    plugins: rows("plugins"),
    mcpServers: rows("mcpServers"),
    channels: list(inv, "channels").flatMap((c) => (str(c.id, 200) ? [{ id: str(c.id, 200)!, enabled: bool(c.enabled), connected: bool(c.connected) }] : [])),
    cronJobs: list(inv, "cronJobs").flatMap((c) => (str(c.id, 200) ? [{ id: str(c.id, 200)!, name: str(c.name, 200), enabled: bool(c.enabled), schedule: str(c.schedule, 200) }] : [])),
  };
}

/** When the gateway last reported its inventory, and when its content last changed. */
export async function inventoryReportTimes(gatewayId: string) {
  const latest = await db.gatewayInventorySnapshot.findFirst({ where: { gatewayId }, orderBy: [{ firstReportedAt: "desc" }, { id: "desc" }], select: { firstReportedAt: true, lastReportedAt: true } });
  return latest ? { changedAt: latest.firstReportedAt, reportedAt: latest.lastReportedAt } : null;
}

const AGENT_NAME = /^[a-z0-9][a-z0-9-_.]*$/;
const EXEC_MODES = ["deny", "allowlist", "full"];

/**
 * Values for the "register an agent" form from what a gateway reported about one of its agents
 * (the "Register it" link of an unregistered_agent finding), or null when it did not report it.
 */
export async function registrationPrefill(gatewayId: string, externalId: string, scope: TeamScope = null) {
  const g = await db.gateway.findFirst({ where: { id: gatewayId, ...gatewayWhereOf(scope) }, select: { id: true, name: true, inventory: true } });
  if (!g || !isObj(g.inventory)) return null;
  const a = list(g.inventory, "agents").find((x) => x.id === externalId);
  if (!a) return null;
  const p = reportedPosture(a);
  const name = externalId
    .toLowerCase()
    .replace(/[^a-z0-9-_.]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 80);
  const display = str(a.name, 200);
  return {
    gatewayName: g.name,
    values: {
      name: AGENT_NAME.test(name) ? name : "",
      externalId,
      owner: "",
      teamId: "",
      purpose: display && display !== externalId ? display : "",
      gatewayId: g.id,
      scope: "internal" as const,
      channels: strs(a.channels).slice(0, 50),
      model: (p.model ?? "").slice(0, 120),
      fallbackModels: (p.fallbackModels ?? []).slice(0, 50).map((m) => m.slice(0, 120)),
      credentialRefs: [],
      posture: {
        fsWorkspaceOnly: p.workspaceOnly ?? true,
        execMode: p.execMode && EXEC_MODES.includes(p.execMode) ? p.execMode : "deny",
        canDelegate: p.canDelegate ?? false,
        dmPolicy: "pairing",
        groupPolicy: "allowlist",
        ...(p.sandbox ? { sandbox: p.sandbox.slice(0, 50) } : {}),
      },
    },
  };
}

/**
 * What the agent's gateway last reported about it (the reported value wins over the registry's),
 * with where they differ; null when the agent has no gateway or the gateway does not report it.
 */
export async function reportedAgentPosture(agent: { gatewayId: string | null; externalId: string | null; model: string | null; fallbackModels: string[]; posture: unknown }) {
  if (!agent.gatewayId || !agent.externalId) return null;
  const g = await db.gateway.findUnique({ where: { id: agent.gatewayId }, select: { id: true, name: true, inventory: true } });
  if (!g || !isObj(g.inventory)) return null;
  const a = list(g.inventory, "agents").find((x) => x.id === agent.externalId);
  if (!a) return null;
  const times = await inventoryReportTimes(g.id);
  const p = reportedPosture(a);
  return {
    gatewayId: g.id,
    gatewayName: g.name,
    reportedAt: times?.reportedAt ?? null,
    reported: {
      model: p.model ?? null,
      fallbackModels: p.fallbackModels ?? null,
      execMode: p.execMode ?? null,
      sandbox: p.sandbox ?? null,
      canDelegate: p.canDelegate ?? null,
      subagents: p.subagents,
      workspaceOnly: p.workspaceOnly ?? null,
    },
    differences: postureDifferences(agent, a),
  };
}
