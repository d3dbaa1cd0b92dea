// Hash pinning in the OpenClaw plugin (connectors/openclaw: decide.js, artefacts.js): a call to a
// tool whose installed artefact's hash is known and not approved is blocked; unknown is allowed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decide, type DecidePolicy } from "../../connectors/openclaw/lib/decide.js";
import { artefactOf, checkArtefacts, createArtefacts, type ArtefactData } from "../../connectors/openclaw/lib/artefacts.js";
import { filterByToolPolicy, withBuildHash } from "../../connectors/openclaw/lib/inventory.js";

const H = (c: string) => c.repeat(64);
const BUILD = H("b");
const none = { deniedTools: {}, suspendedAgents: {} };
const data: ArtefactData = {
  openclaw: { version: "2026.9.6", hash: BUILD },
  tools: { write: { source: "core" }, fx_write: { source: "plugin", owner: "fx" }, browser: { source: "plugin", owner: "browser" } },
  plugins: { fx: { version: "1.2.0", hash: H("f") }, browser: { version: "2026.9.6", bundled: true } },
  mcp: { docs: { hash: H("d") }, "my.server": {} },
  skills: { hello: { dir: "/ws/skills/hello", hash: H("5") } },
  workspaces: { main: "/ws" },
};
type Tool = DecidePolicy["agents"][number]["tools"][number] & { kind?: string };
const policy = (tools: Tool[]): DecidePolicy => ({ agents: [{ id: "main", wardenId: "w", name: "Main", status: "active", tools }] });

describe("decide: a tool's versions pin the installed hash", () => {
  const pinnedTo = (hash: string) => policy([{ name: "write", versions: [{ version: "2026.9.6", contentHash: hash }] }]);
  it("blocks a known hash that is not approved, allows an approved one", () => {
    expect(decide(pinnedTo(H("0")), none, { agentId: "main", toolName: "write", toolVersion: "2026.9.6", toolHash: BUILD })).toMatchObject({ allow: false, code: "version_not_approved" });
    expect(decide(pinnedTo(BUILD), none, { agentId: "main", toolName: "write", toolVersion: "2026.9.6", toolHash: BUILD.toUpperCase() })).toMatchObject({ allow: true });
  });
  it("allows an unknown hash (reported without one), whatever the version says", () => {
    expect(decide(pinnedTo(H("0")), none, { agentId: "main", toolName: "write", toolVersion: "9.9.9" })).toMatchObject({ allow: true });
    expect(decide(pinnedTo(H("0")), none, { agentId: "main", toolName: "write", toolHash: "not-a-hash" })).toMatchObject({ allow: true });
  });
  it("an entry without versions (an exception) allows any build", () => {
    expect(decide(policy([{ name: "write", versions: [], exceptionUntil: "2999-01-01T00:00:00Z" }]), none, { agentId: "main", toolName: "write", toolHash: BUILD })).toMatchObject({ allow: true });
  });
});

describe("artefactOf: each tool maps to what it runs", () => {
  it("built-in -> the build, plugin -> its package, bundled plugin -> the build, MCP -> its server", () => {
    expect(artefactOf(data, "write")).toEqual({ source: "builtin", version: "2026.9.6", hash: BUILD });
    expect(artefactOf(data, "fx_write")).toEqual({ source: "plugin", owner: "fx", version: "1.2.0", hash: H("f") });
    expect(artefactOf(data, "browser")).toMatchObject({ source: "plugin", owner: "browser", version: "2026.9.6", hash: BUILD });
    expect(artefactOf(data, "docs__read_docs")).toEqual({ source: "mcp", owner: "docs", hash: H("d") });
    expect(artefactOf(data, "my_server__x")).toEqual({ source: "mcp", owner: "my.server", hash: undefined });
    // Configured MCP servers are tools of OpenClaw's bundled "bundle-mcp" plugin: still the server.
    expect(
      artefactOf({ ...data, tools: { ...data.tools, docs__search: { source: "plugin", owner: "bundle-mcp" } }, plugins: { ...data.plugins, "bundle-mcp": { bundled: true } } }, "docs__search"),
    ).toEqual({ source: "mcp", owner: "docs", hash: H("d") });
    expect(artefactOf(data, "unknown_tool")).toBeUndefined();
    expect(artefactOf(data, "__proto__")).toBeUndefined();
  });
});

describe("checkArtefacts: plugins, MCP servers and skills listed with versions", () => {
  const agent = (tools: Tool[]) => ({ tools });
  it("blocks a tool of a plugin whose installed hash is not an approved version of the plugin", () => {
    const call = { agentId: "main", toolName: "fx_write" };
    expect(checkArtefacts(agent([{ name: "fx", kind: "plugin", versions: [{ version: "1.1.0", contentHash: H("0") }] }]), call, artefactOf(data, "fx_write"), data)).toMatchObject({
      code: "version_not_approved",
    });
    expect(checkArtefacts(agent([{ name: "fx", kind: "plugin", versions: [{ version: "1.2.0", contentHash: H("f") }] }]), call, artefactOf(data, "fx_write"), data)).toBeNull();
    expect(checkArtefacts(agent([{ name: "fx", kind: "plugin", versions: [] }]), call, artefactOf(data, "fx_write"), data)).toBeNull();
  });
  it("blocks a tool of an MCP server whose hash drifted; an unknown server hash passes", () => {
    const pinned = agent([
      { name: "docs", kind: "mcp_server", versions: [{ version: "1", contentHash: H("0") }] },
      { name: "my.server", kind: "mcp_server", versions: [{ version: "1", contentHash: H("0") }] },
    ]);
    expect(checkArtefacts(pinned, { toolName: "docs__read" }, artefactOf(data, "docs__read"), data)).toMatchObject({ code: "version_not_approved" });
    expect(checkArtefacts(pinned, { toolName: "my_server__x" }, artefactOf(data, "my_server__x"), data)).toBeNull();
  });
  it("blocks calls that touch a drifted skill's files (absolute, relative to the workspace, in a command)", () => {
    const pinned = agent([{ name: "hello", kind: "skill", versions: [{ version: "1", contentHash: H("0") }] }]);
    const check = (toolName: string, params: Record<string, unknown>) => checkArtefacts(pinned, { agentId: "main", toolName, params }, artefactOf(data, toolName), data);
    expect(check("read", { path: "/ws/skills/hello/SKILL.md" })).toMatchObject({ code: "version_not_approved" });
    expect(check("read", { path: "skills/hello/scripts/run.sh" })).toMatchObject({ code: "version_not_approved" });
    expect(check("read", { path: "/ws/skills/hello/../hello/SKILL.md" })).toMatchObject({ code: "version_not_approved" });
    expect(check("exec", { command: "bash /ws/skills/hello/scripts/run.sh" })).toMatchObject({ code: "version_not_approved" });
    expect(check("exec", { command: "cd ws && sh ./skills/hello/run.sh" })).toMatchObject({ code: "version_not_approved" });
    expect(check("read", { path: "/ws/skills/hello2/SKILL.md" })).toBeNull();
    expect(check("read", { path: "/ws/notes.md" })).toBeNull();
    // Approved hash, or the skill not pinned: nothing blocked.
    const ok = agent([{ name: "hello", kind: "skill", versions: [{ version: "1", contentHash: H("5") }] }]);
    expect(checkArtefacts(ok, { agentId: "main", toolName: "read", params: { path: "/ws/skills/hello/SKILL.md" } }, undefined, data)).toBeNull();
    expect(checkArtefacts(agent([]), { agentId: "main", toolName: "read", params: { path: "/ws/skills/hello/SKILL.md" } }, undefined, data)).toBeNull();
  });
});

describe("createArtefacts: shared through a file", () => {
  it("a second instance reads what the first learnt; a new build version drops the old hash", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-art-"));
    try {
      const file = path.join(dir, "a.json");
      const a = createArtefacts(file);
      a.setBuild({ version: "1", hash: BUILD });
      a.update({ tools: { write: { source: "core" } } });
      fs.writeFileSync(`${file}.copy`, fs.readFileSync(file));
      const b = createArtefacts(`${file}.copy`);
      expect(b.of("write")).toEqual({ source: "builtin", version: "1", hash: BUILD });
      a.setBuild({ version: "2" });
      expect(a.of("write")).toEqual({ source: "builtin", version: "2", hash: undefined });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("filterByToolPolicy: an agent's tools from its catalog and the config", () => {
  const catalog = [
    { name: "read", source: "core", group: "fs", profiles: ["coding"] },
    { name: "exec", source: "core", group: "runtime", profiles: ["coding"] },
    { name: "message", source: "core", group: "messaging", profiles: ["messaging"] },
    { name: "fx_write", source: "plugin", owner: "fx" },
  ];
  const names = (cfg: object, agentCfg: object = {}) => filterByToolPolicy(catalog, cfg, agentCfg).map((t: { name: string }) => t.name);
  it("applies profile, allow and deny (global and per agent, groups and globs)", () => {
    expect(names({})).toEqual(["read", "exec", "message", "fx_write"]);
    expect(names({ tools: { profile: "coding" } })).toEqual(["read", "exec", "fx_write"]);
    expect(names({ tools: { profile: "coding", alsoAllow: ["message"] } })).toEqual(["read", "exec", "message", "fx_write"]);
    expect(names({}, { tools: { deny: ["exec"] } })).toEqual(["read", "message", "fx_write"]);
    expect(names({ tools: { deny: ["group:runtime", "fx_*"] } })).toEqual(["read", "message"]);
    expect(names({ tools: { allow: ["read"] } })).toEqual(["read"]);
  });
});

describe("withBuildHash: the last inventory once the build hash is known", () => {
  it("fills the build hash on openclaw, built-in tools and bundled-plugin tools only", () => {
    const inv = {
      openclaw: { version: "2026.9.6" },
      tools: [{ name: "write", version: "2026.9.6" }, { name: "browser" }, { name: "fx_write", version: "1.2.0", hash: H("f") }, { name: "docs__read" }],
    };
    const learnt = {
      tools: { write: { source: "builtin" }, browser: { source: "plugin", owner: "browser" }, fx_write: { source: "plugin", owner: "fx" }, docs__read: { source: "mcp", owner: "docs" } },
      plugins: { browser: { bundled: true }, fx: { hash: H("f") } },
    };
    const out = withBuildHash(inv, learnt, { version: "2026.9.6", hash: BUILD });
    expect(out.openclaw).toEqual({ version: "2026.9.6", buildHash: BUILD });
    expect(out.tools).toEqual([
      { name: "write", version: "2026.9.6", hash: BUILD },
      { name: "browser", version: "2026.9.6", hash: BUILD },
      { name: "fx_write", version: "1.2.0", hash: H("f") },
      { name: "docs__read" },
    ]);
    expect(withBuildHash(inv, learnt, { version: "2026.9.6" })).toBe(inv);
  });
});
