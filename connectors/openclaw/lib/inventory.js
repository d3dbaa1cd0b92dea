// Inventory + posture: what the gateway runs, read over its own CLI (`openclaw gateway call …`,
// loopback, same config/env as the gateway) with the config snapshot as fallback, plus
// `openclaw security audit --json`. Best effort: every part may be missing.
import { execFile } from "node:child_process";

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

export async function collectInventory({ cfg, logger, getCron, withAudit }) {
  const settled = async (p) => {
    try {
      return await p;
    } catch (err) {
      logger.debug?.(`warden: inventory part failed: ${err?.message ?? err}`);
      return undefined;
    }
  };
  const [agentsRes, catalogRes, pluginsRes, channelsRes, cronRes] = [await settled(call("agents.list")), await settled(call("tools.catalog")), await settled(call("plugins.list")), await settled(call("channels.status")), await settled(call("cron.list", { includeDisabled: true }))];

  const cfgAgents = cfg?.agents?.entries ?? cfg?.agents?.list ?? {};
  const agentList = arr(agentsRes, "agents").length
    ? arr(agentsRes, "agents")
    : Object.entries(Array.isArray(cfgAgents) ? Object.fromEntries(cfgAgents.map((a) => [a.id, a])) : cfgAgents).map(([id, a]) => ({ id, ...a }));
  if (!agentList.length) agentList.push({ id: "main", name: "main" });
  const agents = agentList
    .filter((a) => str(a.id ?? a.agentId))
    .map((a) => {
      const model = a.model?.primary ?? a.model ?? cfg?.agents?.defaults?.model?.primary;
      return { id: str(a.id ?? a.agentId), name: str(a.name ?? a.identity?.name ?? a.displayName) ?? str(a.id ?? a.agentId), ...(str(model) ? { model: str(model) } : {}) };
    });

  const toolItems = [];
  const groups = arr(catalogRes, "groups", "tools", "entries");
  for (const g of groups) {
    for (const t of Array.isArray(g?.tools) ? g.tools : [g]) {
      const name = str(t?.name ?? t?.id);
      if (name) toolItems.push({ name, kind: str(t.source ?? g.source ?? t.kind, 50) ?? "tool", ...(typeof t.enabled === "boolean" ? { enabled: t.enabled } : {}) });
    }
  }
  const seen = new Set();
  const tools = toolItems.filter((t) => !seen.has(t.name) && seen.add(t.name)).slice(0, 5000);

  const plugins = arr(pluginsRes, "plugins")
    .map((p) => ({ name: str(p.id ?? p.name), ...(str(p.version, 100) ? { version: str(p.version, 100) } : {}), ...(typeof p.enabled === "boolean" ? { enabled: p.enabled } : {}) }))
    .filter((p) => p.name);
  if (!plugins.length && cfg?.plugins?.entries) for (const [name, e] of Object.entries(cfg.plugins.entries)) plugins.push({ name, enabled: e?.enabled !== false });

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

  const inventory = { agents, tools, plugins, cronJobs, channels, config: JSON.parse(JSON.stringify(config)) };
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
  return inventory;
}
