// Inventory + posture: what the gateway runs, read over its own CLI (`openclaw gateway call …`,
// loopback, same config/env as the gateway) with the in-process config for what the RPCs redact
// or lack (MCP servers, agent posture), plus `openclaw security audit --json`. Best effort: every
// part may be missing.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { hashTree as defaultHashTree, openclawRootOf } from "./hash.js";
import { describeMcpServers } from "./mcp.js";
import { BUNDLE_MCP, mcpServerOf } from "./artefacts.js";

function openclawCli(args, timeoutMs) {
  const entry = process.env.WARDEN_OPENCLAW_ENTRY || process.argv[1];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [entry, ...args], { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout) => {
      if (err && !stdout) return reject(err);
      const start = stdout.search(/[[{]/);
      try {
        resolve(JSON.parse(stdout.slice(start)));
      } catch (e) {
        reject(err ?? e);
      }
    });
  });
}

const call = (method, params = {}) => openclawCli(["gateway", "call", method, "--json", "--params", JSON.stringify(params)], 30_000);
/** One gateway RPC over the OpenClaw CLI (loopback, same config/env/token as the gateway). */
export const gatewayCall = call;
const arr = (v, ...keys) => {
  for (const k of keys) if (Array.isArray(v?.[k])) return v[k];
  return Array.isArray(v) ? v : [];
};
const str = (v, max = 200) => (typeof v === "string" && v ? v.slice(0, max) : undefined);

/** The agents section of the config as { id: entry } (`agents.entries` object or `agents.list` array). */
function agentEntries(cfg) {
  const e = cfg?.agents?.entries ?? cfg?.agents?.list ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.filter((a) => a && typeof a.id === "string").map((a) => [a.id, a]));
  return e && typeof e === "object" ? e : {};
}

const bool = (...vs) => vs.find((v) => typeof v === "boolean");
const strs = (v, n = 200) => (Array.isArray(v) ? v.filter((x) => typeof x === "string" && x).slice(0, n).map((x) => x.slice(0, 200)) : undefined);

/** Catalog tools of one agent as [{ name, source, owner?, group?, profiles?, optional? }]. */
function catalogTools(res) {
  const out = [];
  for (const g of arr(res, "groups", "tools", "entries")) {
    for (const t of Array.isArray(g?.tools) ? g.tools : [g]) {
      const name = str(t?.name ?? t?.id);
      if (!name) continue;
      const source = str(t.source ?? g.source, 50) ?? "core";
      const owner = str(t.pluginId ?? t.serverName ?? t.server ?? g.pluginId);
      out.push({ name, source, ...(owner ? { owner } : {}), ...(str(g.id) ? { group: str(g.id) } : {}), ...(Array.isArray(t.defaultProfiles) ? { profiles: t.defaultProfiles } : {}), ...(t.optional === true ? { optional: true } : {}) });
    }
  }
  return out;
}

const globMatch = (pattern, name) => (pattern.includes("*") ? new RegExp(`^${pattern.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(name) : pattern === name);
/** Does a tool-policy entry ("exec", "group:fs", "fx_*", "group:plugins") name this catalog tool? */
function policyNames(entry, t) {
  if (typeof entry !== "string") return false;
  if (entry.startsWith("group:")) {
    const g = entry.slice(6);
    return g === "plugins" ? t.source !== "core" : t.group === g;
  }
  return globMatch(entry, t.name) || (entry === "bash" && t.name === "exec");
}

/**
 * The tools an agent may call, from its catalog filtered by the config's tool policy (profile,
 * allow/alsoAllow, deny at gateway and agent level). Used when OpenClaw cannot give the effective
 * list (tools.effective needs an existing session of the agent); an approximation of its layers.
 */
export function filterByToolPolicy(catalog, cfg, agentCfg) {
  const g = cfg?.tools ?? {};
  const a = agentCfg?.tools ?? {};
  const profile = a.profile ?? g.profile;
  const allow = [...(a.allow ?? g.allow ?? []), ...(g.alsoAllow ?? []), ...(a.alsoAllow ?? [])].filter((x) => typeof x === "string");
  const deny = [...(Array.isArray(g.deny) ? g.deny : []), ...(Array.isArray(a.deny) ? a.deny : [])];
  return catalog.filter((t) => {
    if (deny.some((d) => policyNames(d, t))) return false;
    const inProfile = !profile || profile === "full" ? !t.optional : t.source !== "core" ? !t.optional : (t.profiles ?? []).includes(profile);
    // An allow list without a profile is the allowlist itself; with a profile it adds to it.
    if (allow.length && !profile) return allow.some((x) => policyNames(x, t));
    return inProfile || allow.some((x) => policyNames(x, t));
  });
}

/** The agent's posture from the config (exec, sandbox, delegation, workspace-only). */
function postureOf(id, cfg, agentCfg, allIds, toolNames) {
  const d = cfg?.agents?.defaults ?? {};
  const exec = agentCfg?.tools?.exec ?? {};
  const gexec = cfg?.tools?.exec ?? {};
  let execMode = str(exec.mode ?? exec.security ?? gexec.mode ?? gexec.security, 50);
  if (toolNames && !toolNames.includes("exec")) execMode = "deny";
  const sandbox = str(agentCfg?.sandbox?.mode ?? d.sandbox?.mode, 50) ?? "off";
  const allowAgents = agentCfg?.subagents?.allowAgents ?? d.subagents?.allowAgents ?? cfg?.tools?.subagents?.allowAgents;
  const subagents = Array.isArray(allowAgents) ? (allowAgents.includes("*") ? allIds.filter((x) => x !== id) : strs(allowAgents).filter((x) => x !== id)) : [];
  const canDelegate = subagents.length > 0 && (!toolNames || toolNames.some((n) => n === "sessions_spawn" || n === "sessions_send" || n === "subagents"));
  const workspaceOnly = bool(agentCfg?.tools?.fs?.workspaceOnly, cfg?.tools?.fs?.workspaceOnly) ?? false;
  return { ...(execMode ? { execMode } : {}), sandbox, canDelegate, subagents, workspaceOnly };
}

/**
 * Everything the gateway runs (docs/connector-protocol.md, "Inventory"), with the hashes of
 * skills, plugins and MCP servers; `learnt` is what hash pinning needs (lib/artefacts.js).
 * Nothing secret: MCP servers go through lib/mcp.js, skills and plugins are reported by name.
 */
export async function collectInventory({ cfg, logger, getCron, withAudit, build, hashTree = defaultHashTree }) {
  const settled = async (p) => {
    try {
      return await p;
    } catch (err) {
      logger.debug?.(`warden: inventory part failed: ${err?.message ?? err}`);
      return undefined;
    }
  };
  // Each call starts an OpenClaw CLI (a Node process): a few at a time.
  const [agentsRes, pluginsCli, channelsRes, cronRes, sessionsRes] = await Promise.all([settled(call("agents.list")), settled(openclawCli(["plugins", "list", "--json"], 90_000)), settled(call("channels.status")), settled(call("cron.list", { includeDisabled: true })), settled(call("sessions.list", { limit: 500 }))]);
  const pluginsRes = arr(pluginsCli, "plugins").length ? pluginsCli : await settled(call("plugins.list"));

  const cfgAgents = agentEntries(cfg);
  const agentList = arr(agentsRes, "agents").length ? arr(agentsRes, "agents") : Object.entries(cfgAgents).map(([id, a]) => ({ id, ...a }));
  if (!agentList.length) agentList.push({ id: "main", name: "main" });
  const ids = agentList.map((a) => str(a.id ?? a.agentId)).filter(Boolean).slice(0, 200);
  const sessions = arr(sessionsRes, "sessions", "rows", "items");

  const agents = [];
  const toolIndex = new Map(); // name -> { name, kind, source, owner?, agents: Set }
  const skillIndex = new Map();
  const workspaces = {};
  for (const a of agentList) {
    const id = str(a.id ?? a.agentId);
    if (!id || agents.length >= 200) continue;
    const agentCfg = Object.prototype.hasOwnProperty.call(cfgAgents, id) ? cfgAgents[id] : {};
    const modelCfg = a.model ?? agentCfg?.model ?? cfg?.agents?.defaults?.model;
    const model = str(typeof modelCfg === "string" ? modelCfg : modelCfg?.primary);
    const fallbackModels = strs(typeof modelCfg === "object" ? modelCfg?.fallbacks : undefined, 20);
    if (str(a.workspace, 4096)) workspaces[id] = str(a.workspace, 4096);

    // Effective tools: OpenClaw's own projection for the agent's latest session when it has one,
    // else the agent's catalog filtered by the config's tool policy.
    const catalog = catalogTools(await settled(call("tools.catalog", { agentId: id })));
    const session = sessions.find((s) => typeof s?.key === "string" && s.key.startsWith(`agent:${id}:`));
    const effective = session ? catalogTools(await settled(call("tools.effective", { sessionKey: session.key }))) : [];
    const mine = effective.length ? effective : filterByToolPolicy(catalog, cfg, agentCfg);
    for (const t of [...catalog, ...effective]) {
      const cur = toolIndex.get(t.name) ?? { name: t.name, source: t.source, ...(t.owner ? { owner: t.owner } : {}), agents: new Set() };
      if (!cur.owner && t.owner) cur.owner = t.owner;
      toolIndex.set(t.name, cur);
    }
    for (const t of mine) toolIndex.get(t.name)?.agents.add(id);
    const toolNames = mine.map((t) => t.name).slice(0, 1000);

    for (const sk of arr(await settled(call("skills.status", { agentId: id })), "skills").slice(0, 2000)) {
      const key = str(sk?.skillKey ?? sk?.name);
      if (!key) continue;
      const cur = skillIndex.get(key) ?? { name: key, source: str(sk.source, 100), version: str(sk.version ?? sk.metadata?.version, 100), dir: str(sk.baseDir, 4096), enabled: false, agents: new Set() };
      if (sk.disabled !== true) cur.enabled = true;
      if (sk.disabled !== true && sk.blockedByAllowlist !== true && sk.blockedByAgentFilter !== true) cur.agents.add(id);
      skillIndex.set(key, cur);
    }
    agents.push({
      id,
      name: str(a.name ?? a.identity?.name ?? agentCfg?.identity?.name ?? a.displayName) ?? id,
      ...(model ? { model } : {}),
      ...(fallbackModels ? { fallbackModels } : {}),
      tools: toolNames,
      ...postureOf(id, cfg, agentCfg, ids, toolNames),
    });
  }

  // Plugins, with the hash of their package root (bundled ones are part of the OpenClaw build).
  const plugins = [];
  const pluginArt = {};
  for (const p of arr(pluginsRes, "plugins").slice(0, 1000)) {
    const name = str(p?.id ?? p?.name);
    if (!name) continue;
    const bundled = p.origin === "bundled";
    const enabled = typeof p.enabled === "boolean" ? p.enabled : undefined;
    const hash = !bundled && enabled !== false && str(p.rootDir, 4096) ? await hashTree(p.rootDir) : undefined;
    plugins.push({ name, ...(str(p.version, 100) ? { version: str(p.version, 100) } : {}), ...(str(p.origin, 50) ? { source: str(p.origin, 50) } : {}), ...(enabled !== undefined ? { enabled } : {}), ...(hash ? { hash } : {}), ...(bundled ? { bundled: true } : {}) });
    pluginArt[name] = { ...(str(p.version, 100) ? { version: str(p.version, 100) } : {}), ...(hash ? { hash } : {}), ...(bundled ? { bundled: true } : {}) };
    for (const t of strs(p.toolNames, 500) ?? []) if (toolIndex.get(t) && !toolIndex.get(t).owner) Object.assign(toolIndex.get(t), { source: "plugin", owner: name });
  }
  if (!plugins.length && cfg?.plugins?.entries) for (const [name, e] of Object.entries(cfg.plugins.entries)) plugins.push({ name, enabled: e?.enabled !== false });

  const mcpServers = await describeMcpServers(cfg?.mcp?.servers);
  const skills = [];
  const skillArt = {};
  // A skill whose folder lies inside the OpenClaw package ships with OpenClaw: the build hash covers it.
  const ocRoot = openclawRootOf(process.env.WARDEN_OPENCLAW_ENTRY || process.argv[1] || "")?.root;
  const insideBuild = (dir) => Boolean(ocRoot && dir && path.resolve(dir).startsWith(ocRoot + path.sep));
  for (const s of skillIndex.values()) {
    const hash = s.dir ? await hashTree(s.dir) : undefined;
    const bundled = s.source === "openclaw-bundled" || insideBuild(s.dir);
    skills.push({ name: s.name, ...(s.source ? { source: s.source } : {}), ...(s.version ? { version: s.version } : {}), enabled: s.enabled, ...(hash ? { hash } : {}), agents: [...s.agents], ...(bundled ? { bundled: true } : {}) });
    if (s.dir) skillArt[s.name] = { dir: s.dir, ...(hash ? { hash } : {}) };
  }

  // MCP tools ("<server>__<tool>", owned by OpenClaw's bundle-mcp plugin) belong to their server.
  const servers = { mcp: Object.fromEntries(mcpServers.map((m) => [m.name, {}])) };
  for (const t of toolIndex.values()) {
    const server = (t.source === "mcp" || t.owner === BUNDLE_MCP || !t.owner) && t.source !== "core" ? mcpServerOf(servers, t.name) : undefined;
    if (server) Object.assign(t, { source: "mcp", owner: server });
  }
  const builtin = (t) => t.source === "core" || t.source === "builtin";
  const tools = [...toolIndex.values()].slice(0, 5000).map((t) => {
    const p = t.source === "plugin" && t.owner ? pluginArt[t.owner] : undefined;
    const m = t.source === "mcp" && t.owner ? mcpServers.find((x) => x.name === t.owner) : undefined;
    const v = builtin(t) || p?.bundled ? build?.version : p?.version;
    const h = builtin(t) || p?.bundled ? build?.hash : p?.hash ?? m?.hash;
    return { name: t.name, kind: "tool", source: builtin(t) ? "builtin" : t.source, ...(t.owner ? { owner: t.owner } : {}), ...(v ? { version: v } : {}), ...(h ? { hash: h } : {}), enabled: t.agents.size > 0, agents: [...t.agents] };
  });
  const learnt = {
    tools: Object.fromEntries(tools.map((t) => [t.name, { source: t.source, ...(t.owner ? { owner: t.owner } : {}) }])),
    plugins: pluginArt,
    mcp: Object.fromEntries(mcpServers.map((m) => [m.name, m.hash ? { hash: m.hash } : {}])),
    skills: skillArt,
    workspaces,
  };

  let cronJobs = arr(cronRes, "jobs");
  if (!cronJobs.length && getCron) {
    try {
      cronJobs = (await getCron()?.list({ includeDisabled: true })) ?? [];
    } catch {}
  }
  cronJobs = cronJobs.filter((j) => str(j.id)).map((j) => ({ id: str(j.id), ...(str(j.name) ? { name: str(j.name) } : {}), enabled: j.enabled !== false && cfg?.cron?.enabled !== false }));

  const channels = [];
  const chMap = channelsRes?.channels ?? cfg?.channels ?? {};
  for (const [id, c] of Object.entries(chMap)) if (id && c && typeof c === "object") channels.push({ id, enabled: c.enabled !== false && c.configured !== false, ...(typeof c.connected === "boolean" ? { connected: c.connected } : typeof c.running === "boolean" ? { connected: c.running } : {}) });

  const config = {
    bind: str(cfg?.gateway?.bind) ?? "loopback",
    authMode: str(cfg?.gateway?.auth?.mode) ?? "token",
    execMode: str(cfg?.tools?.exec?.security) ?? str(cfg?.tools?.exec?.mode),
    toolsProfile: str(cfg?.tools?.profile),
    toolsAllow: cfg?.tools?.allow,
    toolsDeny: cfg?.tools?.deny,
    sandbox: cfg?.agents?.defaults?.sandbox,
    cronEnabled: cfg?.cron?.enabled !== false,
    wardenPlugin: "warden",
  };

  const inventory = { ...(build?.version ? { openclaw: { version: build.version, ...(build.hash ? { buildHash: build.hash } : {}) } } : {}), agents, tools, skills, plugins, mcpServers, cronJobs, channels, config: JSON.parse(JSON.stringify(config)) };
  if (withAudit) {
    const audit = await settled(openclawCli(["security", "audit", "--json"], 60_000));
    if (audit?.summary && Array.isArray(audit.findings)) {
      inventory.securityAudit = {
        ts: audit.ts ?? Date.now(),
        summary: { critical: audit.summary.critical | 0, warn: audit.summary.warn | 0, info: audit.summary.info | 0 },
        findings: audit.findings.slice(0, 2000).map((f) => ({
          checkId: String(f.checkId).slice(0, 200),
          severity: ["critical", "warn", "info"].includes(f.severity) ? f.severity : "info",
          title: String(f.title ?? f.checkId).slice(0, 500),
          detail: String(f.detail ?? "").slice(0, 10_000),
          ...(f.remediation ? { remediation: String(f.remediation).slice(0, 10_000) } : {}),
        })),
      };
    }
  }
  return { inventory, learnt };
}

/** What decides whether an inventory changed since the last push (the security audit aside). */
export function inventoryDigest(inventory) {
  const { securityAudit: _audit, ...rest } = inventory ?? {};
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

/**
 * The same inventory with the OpenClaw build's hash filled in (on `openclaw` and on every built-in
 * or bundled-plugin tool): pushed when the hash becomes known after a collection, without
 * collecting again (each collection starts several OpenClaw CLIs).
 */
export function withBuildHash(inventory, learnt, build) {
  if (!build?.hash || !inventory) return inventory;
  const out = { ...inventory, openclaw: { ...(inventory.openclaw ?? {}), ...(build.version ? { version: build.version } : {}), buildHash: build.hash } };
  out.tools = (inventory.tools ?? []).map((t) => {
    const l = learnt?.tools?.[t.name];
    const ofBuild = l?.source === "builtin" || (l?.source === "plugin" && learnt?.plugins?.[l.owner]?.bundled);
    return ofBuild ? { ...t, ...(build.version ? { version: build.version } : {}), hash: build.hash } : t;
  });
  return out;
}
