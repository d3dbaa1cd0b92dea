// Hash pinning (docs/connector-protocol.md, "Hash pinning"): which installed artefact each tool
// comes from, its version and hash, and whether a call may use it under the signed policy.
//   built-in tool (catalog source "core")      -> the OpenClaw build (version, build hash)
//   plugin tool (catalog source "plugin")      -> its plugin (version, hash of its package root);
//                                                 a plugin bundled with OpenClaw is part of the build
//   MCP tool ("<server>__<tool>")              -> its MCP server (hash of its local script/package)
//   skill                                      -> calls that touch files inside the skill's folder
// The map is learnt by the inventory collector and shared by every plugin instance (globalThis)
// and through a file in the spool folder, so a restart pins at once from the last known state.
import fs from "node:fs";
import path from "node:path";
import { mcpToolPrefix } from "./mcp.js";
import { normalisePath, pathParams, underPrefix } from "./conditions.js";

const HEX64 = /^[0-9a-f]{64}$/;
const hex = (h) => (typeof h === "string" && HEX64.test(h.toLowerCase()) ? h.toLowerCase() : undefined);
const EMPTY = () => ({ openclaw: {}, tools: {}, plugins: {}, mcp: {}, skills: {}, workspaces: {} });

/** The artefact registry backed by `file` (atomically replaced; re-read when it changed). */
export function createArtefacts(file) {
  const key = Symbol.for(`warden.openclaw.artefacts:${file}`);
  globalThis[key] ??= { data: EMPTY(), sig: "" };
  const shared = globalThis[key];
  const sigOf = () => {
    try {
      const st = fs.statSync(file);
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return "";
    }
  };
  const reload = () => {
    const s = sigOf();
    if (!s || s === shared.sig) return;
    try {
      const raw = JSON.parse(fs.readFileSync(file, "utf8"));
      if (raw && typeof raw === "object") shared.data = { ...EMPTY(), ...raw, openclaw: { ...raw.openclaw, ...keepBuild(shared.data.openclaw, raw.openclaw) } };
      shared.sig = s;
    } catch {} // torn or unreadable: keep what we have
  };
  // A build hash computed in this process is not lost when an older file is read.
  const keepBuild = (mine, theirs) => (mine?.hash && !theirs?.hash && mine.version === theirs?.version ? { hash: mine.hash } : {});
  const save = () => {
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(shared.data), { mode: 0o600 });
      fs.renameSync(tmp, file);
      shared.sig = sigOf();
    } catch {}
  };
  return {
    /** The OpenClaw version and build hash (hash undefined until computed). */
    setBuild({ version, hash }) {
      reload();
      shared.data.openclaw = { ...(version ? { version: String(version).slice(0, 100) } : {}), ...(hex(hash) ? { hash: hex(hash) } : {}) };
      save();
    },
    build() {
      reload();
      return shared.data.openclaw;
    },
    /** Replace what the inventory learnt: tools {name: {source, owner}}, plugins, mcp, skills, workspaces. */
    update({ tools, plugins, mcp, skills, workspaces }) {
      reload();
      // A new object: checkArtefacts caches per (policy agent, data) pair.
      shared.data = { ...shared.data, tools: tools ?? {}, plugins: plugins ?? {}, mcp: mcp ?? {}, skills: skills ?? {}, workspaces: workspaces ?? {} };
      save();
    },
    /** { source, owner?, version?, hash? } of a tool's artefact; undefined when the tool is not known yet. */
    of(toolName) {
      reload();
      return artefactOf(shared.data, toolName);
    },
    /** The skills registry (key -> { dir, hash }) and agent workspaces, for the skill check. */
    snapshot() {
      reload();
      return shared.data;
    },
  };
}

/** The artefact of a tool in the registry data (pure). */
export function artefactOf(data, toolName) {
  if (typeof toolName !== "string" || !toolName) return undefined;
  const build = { version: data.openclaw?.version, hash: hex(data.openclaw?.hash) };
  const t = Object.prototype.hasOwnProperty.call(data.tools ?? {}, toolName) ? data.tools[toolName] : undefined;
  // OpenClaw exposes configured MCP servers as tools of its bundled "bundle-mcp" plugin: the
  // artefact is the server the name's prefix designates, not the build.
  const server = mcpServerOf(data, toolName);
  if (server && (!t || t.source === "mcp" || t.owner === BUNDLE_MCP)) return { source: "mcp", owner: server, hash: hex(data.mcp?.[server]?.hash) };
  if (t?.source === "plugin" && t.owner) {
    const p = Object.prototype.hasOwnProperty.call(data.plugins ?? {}, t.owner) ? data.plugins[t.owner] : undefined;
    if (p?.bundled) return { source: "plugin", owner: t.owner, ...build, bundled: true };
    return { source: "plugin", owner: t.owner, version: p?.version, hash: hex(p?.hash) };
  }
  if (t?.source === "mcp" && t.owner) return { source: "mcp", owner: t.owner, hash: hex(data.mcp?.[t.owner]?.hash) };
  if (t?.source === "core" || t?.source === "builtin") return { source: "builtin", ...build };
  return undefined;
}

export const BUNDLE_MCP = "bundle-mcp";
/** The configured MCP server whose provider-safe prefix ("<server>__") starts the tool name (longest wins). */
export function mcpServerOf(data, toolName) {
  let best;
  for (const name of Object.keys(data?.mcp ?? {})) if (toolName.startsWith(mcpToolPrefix(name)) && (!best || name.length > best.length)) best = name;
  return best;
}

const approvedHashes = (entry) => (Array.isArray(entry?.versions) ? entry.versions.map((v) => hex(v?.contentHash)).filter(Boolean) : []);
const pinned = (entry) => Array.isArray(entry?.versions) && entry.versions.length > 0;
const short = (h) => `${h.slice(0, 12)}…`;

/**
 * The pinning check of one call beyond the tool's own entry (decide() compares that entry with
 * the call's hash): the tool's plugin or MCP server when the agent's policy lists it with versions,
 * and every skill whose folder the call touches. Null when the call may run, else { code, reason }.
 * An artefact whose installed hash is unknown is never blocked here (contract: reported without).
 */
export function checkArtefacts(policyAgent, call, art, data, opts = {}) {
  const { find, drifted } = pinsOf(policyAgent, data);
  if (art?.owner && art.hash && !art.bundled) {
    const kind = art.source === "plugin" ? "plugin" : art.source === "mcp" ? "mcp_server" : undefined;
    const e = kind ? find(kind, art.owner) : undefined;
    if (e && pinned(e) && !approvedHashes(e).includes(art.hash)) {
      return { code: "version_not_approved", reason: `Warden: ${kind === "plugin" ? "plugin" : "MCP server"} "${art.owner}" (tool "${call.toolName}") installed hash ${short(art.hash)} is not an approved version` };
    }
  }
  if (!drifted.length) return null;
  const ws = typeof data?.workspaces?.[call.agentId] === "string" ? data.workspaces[call.agentId] : undefined;
  const touched = touchedPaths(call, ws, opts.realpath);
  const text = commandText(call.params);
  for (const d of drifted) {
    const dirs = [d.dir, opts.realpath ? opts.realpath(d.dir) : d.dir];
    const rel = `skills/${d.key}`;
    const hit = touched.some((p) => dirs.some((dir) => underPrefix(p, dir))) || (text && dirs.some((dir) => text.includes(dir))) || (text && ws && text.includes(rel) && new RegExp(`(^|[\\s"'=:;|&(])(\\./)?${escapeRe(rel)}(/|\\b)`).test(text));
    if (hit) return { code: "version_not_approved", reason: `Warden: skill "${d.key}" installed hash ${short(d.hash)} is not an approved version (the call touches its files)` };
  }
  return null;
}

// The policy agent's entries by kind and name, and its drifted skills, computed once per (policy
// agent, registry data) pair: both objects are replaced, never mutated, when they change.
const pinCache = new WeakMap();
function pinsOf(policyAgent, data) {
  const key = policyAgent && typeof policyAgent === "object" ? policyAgent : undefined;
  const hit = key ? pinCache.get(key) : undefined;
  if (hit && hit.data === data) return hit;
  const index = new Map();
  for (const e of Array.isArray(policyAgent?.tools) ? policyAgent.tools : []) if (e && typeof e.name === "string") index.set(`${e.kind}\0${e.name}`, e);
  const find = (kind, name) => index.get(`${kind}\0${name}`);
  // Skills: a call that reads, runs or edits files inside a pinned skill's folder whose installed
  // hash is not approved (the skill's instructions and scripts are what drifted).
  const drifted = [];
  for (const [name, s] of Object.entries(data?.skills ?? {})) {
    const e = find("skill", name);
    const h = hex(s?.hash);
    if (!e || !pinned(e) || !h || typeof s?.dir !== "string") continue;
    if (!approvedHashes(e).includes(h)) drifted.push({ key: name, dir: s.dir, hash: h });
  }
  const out = { data, find, drifted };
  if (key) pinCache.set(key, out);
  return out;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Absolute paths a call names (relative ones against the agent's workspace), symlinks resolved. */
function touchedPaths(call, workspace, realpath) {
  const out = [];
  for (const { value } of pathParams(call.toolName, call.params, call.derivedPaths)) {
    let s = value.trim();
    if (s.startsWith("@")) s = s.slice(1);
    if (s.startsWith("file:")) s = s.replace(/^file:\/\//, "");
    const abs = path.posix.isAbsolute(s) ? normalisePath(s) : workspace ? normalisePath(path.posix.join(workspace, s)) : null;
    if (!abs) continue;
    out.push(abs);
    if (realpath) out.push(realpath(abs));
  }
  return out;
}

/** The command line of an exec-like call (where a skill's scripts are run from). */
function commandText(params) {
  if (!params || typeof params !== "object") return "";
  const parts = [];
  for (const k of ["command", "cmd", "script", "code", "argv", "args", "workdir", "cwd"]) {
    const v = params[k];
    if (typeof v === "string") parts.push(v);
    else if (Array.isArray(v)) for (const x of v.slice(0, 200)) if (typeof x === "string") parts.push(x);
  }
  return parts.join(" ").slice(0, 200_000);
}
