// The OpenClaw plugin's enforcement decision and local containment state (connectors/openclaw),
// tested here because the plugin is plain ESM with no test runner of its own.
import { describe, expect, it } from "vitest";
import { decide, agentIdOf, type DecidePolicy } from "../../connectors/openclaw/lib/decide.js";
import { emptyState, loadState, plan, type Command, type ContainmentState } from "../../connectors/openclaw/lib/containment.js";

const policy = (extra: Partial<DecidePolicy> = {}): DecidePolicy => ({
  agents: [
    { id: "main", wardenId: "w-main", name: "Main", status: "active", tools: [{ name: "session_status" }, { name: "web_fetch", exceptionUntil: "2000-01-01T00:00:00Z" }] },
    { id: "ops", wardenId: "w-ops", name: "Ops", status: "suspended", tools: [{ name: "session_status" }] },
  ],
  ...extra,
});
const none = { deniedTools: {}, suspendedAgents: {} };
const call = (agentId: string | undefined, toolName = "session_status") => ({ agentId, toolName });

describe("decide: policy (backward compatible without containment)", () => {
  it("allows an approved tool and denies everything else", () => {
    expect(decide(policy(), none, call("main"))).toMatchObject({ allow: true, code: "allowed", agentName: "Main" });
    expect(decide(policy(), none, call("main", "exec"))).toMatchObject({ allow: false, code: "not_approved" });
    expect(decide(policy(), none, call("stranger"))).toMatchObject({ allow: false, code: "unknown_agent" });
    expect(decide(policy(), none, call("ops"))).toMatchObject({ allow: false, code: "agent_inactive" });
    expect(decide(policy(), none, call("main", "web_fetch"))).toMatchObject({ allow: false, code: "exception_expired" });
    expect(decide(null, none, call("main"))).toMatchObject({ allow: false, code: "no_policy" });
  });

  it("finds the agent by its Warden id and from session keys", () => {
    expect(decide(policy(), none, call("w-main")).allow).toBe(true);
    expect(agentIdOf({ sessionKey: "agent:ops:main" })).toBe("ops");
    expect(agentIdOf({ agentId: "main", sessionKey: "agent:ops:x" })).toBe("main");
    expect(agentIdOf(undefined)).toBeUndefined();
  });

  it("tolerates a missing local state and prototype-named tools", () => {
    expect(decide(policy(), undefined, call("main")).allow).toBe(true);
    expect(decide(policy(), none, call("main", "constructor"))).toMatchObject({ allow: false, code: "not_approved" });
  });
});

describe("decide: policy.containment merged with local containment (deny wins)", () => {
  it("policy blockAll blocks every call, with or without the agent in the policy", () => {
    const p = policy({ containment: { blockAll: "incident 42" } });
    expect(decide(p, none, call("main"))).toMatchObject({ allow: false, code: "contained" });
    expect(decide(p, none, call("main")).reason).toContain("incident 42");
  });

  it("policy deniedTools denies the tool for every agent, other tools stay allowed", () => {
    const p = policy({ containment: { deniedTools: { session_status: "leak" } } });
    expect(decide(p, none, call("main"))).toMatchObject({ allow: false, code: "tool_denied" });
    expect(decide(p, none, call("main")).reason).toContain("leak");
    expect(decide(policy({ containment: { deniedTools: { exec: "x" } } }), none, call("main")).allow).toBe(true);
  });

  it("policy suspendedAgents matches the gateway agent id or the Warden id", () => {
    for (const key of ["main", "w-main"]) {
      const p = policy({ containment: { suspendedAgents: { [key]: "runaway" } } });
      expect(decide(p, none, call("main"))).toMatchObject({ allow: false, code: "agent_suspended" });
      expect(decide(p, none, call("w-main"))).toMatchObject({ allow: false, code: "agent_suspended" });
    }
    const other = policy({ containment: { suspendedAgents: { ops: "x" } } });
    expect(decide(other, none, call("main")).allow).toBe(true);
  });

  it("local containment wins over an allowing policy and holds without any policy", () => {
    expect(decide(policy(), { ...none, deniedTools: { session_status: "r" } }, call("main"))).toMatchObject({ allow: false, code: "tool_denied" });
    expect(decide(policy(), { ...none, suspendedAgents: { "w-main": "r" } }, call("main"))).toMatchObject({ allow: false, code: "agent_suspended" });
    expect(decide(policy(), { ...none, blockAll: "r" }, call("main"))).toMatchObject({ allow: false, code: "contained" });
    // Without a policy the denial is containment, not "no_policy" (a failOpen gateway must not override it).
    expect(decide(null, { ...none, deniedTools: { session_status: "r" } }, call("main")).code).toBe("tool_denied");
    expect(decide(null, { ...none, suspendedAgents: { main: "r" } }, call("main")).code).toBe("agent_suspended");
  });

  it("an empty or malformed containment field changes nothing", () => {
    expect(decide(policy({ containment: {} }), none, call("main")).allow).toBe(true);
    expect(decide(policy({ containment: "nope" as never }), none, call("main")).allow).toBe(true);
  });
});

const cmd = (c: Partial<Command> & Pick<Command, "action">): Command => ({ kind: "apply", scope: "tool", target: "session_status", reason: "r", ...c });
/** Run a plan and simulate the caller recording effect memory, like the plugin does. */
function step(s: ContainmentState, c: Command, memory: (next: ContainmentState) => void = () => {}) {
  const p = plan(s, c);
  memory(p.next);
  return p;
}

describe("containment state: holds, idempotency, memory", () => {
  it("deny_tool apply twice is one hold; release lifts it", () => {
    const a = step(emptyState(), cmd({ action: "deny_tool" }));
    expect(a.next.deniedTools.session_status).toBe("r");
    expect(a.already).toBe(false);
    const b = step(a.next, cmd({ action: "deny_tool" }));
    expect(b.already).toBe(true);
    expect(Object.keys(b.next.holds["tool:session_status"])).toEqual(["deny_tool"]);
    const r = step(b.next, cmd({ action: "deny_tool", kind: "release" }));
    expect(r.lifted).toBe(true);
    expect(r.next.deniedTools).toEqual({});
    expect(step(r.next, cmd({ action: "deny_tool", kind: "release" })).already).toBe(true);
  });

  it("require_approval and deny_tool on the same tool are released independently", () => {
    let s = step(emptyState(), cmd({ action: "deny_tool" })).next;
    s = step(s, cmd({ action: "require_approval" })).next;
    expect(s.deniedTools.session_status).toBeTruthy();
    expect(s.approvalTools.session_status).toBeTruthy();
    const r = step(s, cmd({ action: "deny_tool", kind: "release" }));
    expect(r.lifted).toBe(false);
    // Only the approval hold is left: the tool is no longer denied, each call waits for a person.
    expect(r.next.deniedTools).toEqual({});
    expect(Object.keys(r.next.approvalTools)).toEqual(["session_status"]);
    const released = step(r.next, cmd({ action: "require_approval", kind: "release" })).next;
    expect(released.deniedTools).toEqual({});
    expect(released.approvalTools).toEqual({});
  });

  it("holds are keyed by action id when commands carry one", () => {
    let s = step(emptyState(), cmd({ action: "block_all", scope: "gateway", target: "gw", actionId: "a1" })).next;
    s = step(s, cmd({ action: "block_all", scope: "fleet", target: "fleet", actionId: "a2" })).next;
    const r = step(s, cmd({ action: "block_all", scope: "fleet", target: "fleet", actionId: "a2", kind: "release" }));
    expect(r.next.blockAll).toBeTruthy();
    expect(step(r.next, cmd({ action: "block_all", scope: "gateway", target: "gw", actionId: "a1", kind: "release" })).next.blockAll).toBeUndefined();
  });

  it("suspend_agent with cronOff disables the agent's jobs and restores exactly those once", () => {
    const apply = cmd({ action: "suspend_agent", scope: "agent", target: "main", options: { cronOff: true } });
    const a = step(emptyState(), apply, (n) => (n.agentCron.main = ["j1", "j2"]));
    expect(a.effects).toEqual([{ type: "agent_cron_disable", agentId: "main" }]);
    expect(a.next.suspendedAgents.main).toBe("r");
    // Repeated delivery: the effect is re-asserted, the memory of disabled jobs is kept.
    const b = step(a.next, apply);
    expect(b.effects).toEqual([{ type: "agent_cron_disable", agentId: "main" }]);
    expect(b.next.agentCron.main).toEqual(["j1", "j2"]);
    const r = step(b.next, { ...apply, kind: "release" });
    expect(r.effects).toEqual([{ type: "agent_cron_restore", agentId: "main", jobs: ["j1", "j2"] }]);
    expect(r.next.agentCron.main).toBeUndefined();
    expect(r.next.suspendedAgents).toEqual({});
  });

  it("suspend_agent as Warden sends it (Warden agent id + agentExternalId) blocks the gateway id without a policy", () => {
    const apply = cmd({ action: "suspend_agent", scope: "agent", target: "w-main", options: { agentExternalId: "main", cronOff: true } });
    const a = step(emptyState(), apply);
    expect(a.next.suspendedAgents).toEqual({ "w-main": "r", main: "r" });
    expect(a.effects).toEqual([{ type: "agent_cron_disable", agentId: "w-main", gatewayAgentId: "main" }]);
    expect(decide(null, a.next, call("main"))).toMatchObject({ allow: false, code: "agent_suspended" });
    // The alias survives the JSON file, and the release (by the stable Warden id) lifts both.
    const loaded = loadState(JSON.parse(JSON.stringify(a.next)));
    expect(loaded.suspendedAgents.main).toBe("r");
    expect(plan(loaded, { ...apply, kind: "release" }).next.suspendedAgents).toEqual({});
  });

  it("suspend_agent at gateway/fleet scope blocks everything", () => {
    const s = step(emptyState(), cmd({ action: "suspend_agent", scope: "fleet", target: "fleet" })).next;
    expect(s.blockAll).toBe("r");
    expect(s.suspendedAgents).toEqual({});
  });

  it("cron_off applied twice keeps the 'was enabled' memory; release restores it", () => {
    const off = cmd({ action: "cron_off", scope: "gateway", target: "gw" });
    const a = step(emptyState(), off, (n) => {
      if (typeof n.cronWasEnabled !== "boolean") n.cronWasEnabled = true;
    });
    // Second delivery: the caller sees cron already disabled (false) but must not overwrite the memory.
    const b = step(a.next, off, (n) => {
      if (typeof n.cronWasEnabled !== "boolean") n.cronWasEnabled = false;
    });
    expect(b.effects).toEqual([{ type: "cron_disable" }]);
    expect(b.next.cronWasEnabled).toBe(true);
    const r = step(b.next, { ...off, kind: "release" });
    expect(r.effects).toEqual([{ type: "cron_restore", enabled: true }]);
    expect(r.next.cronWasEnabled).toBeUndefined();
    // Survives a round trip through the JSON file.
    expect(loadState(JSON.parse(JSON.stringify(b.next))).cronWasEnabled).toBe(true);
  });

  it("cron that was disabled before stays disabled on release", () => {
    const off = cmd({ action: "cron_off", scope: "gateway", target: "gw" });
    const a = step(emptyState(), off, (n) => (n.cronWasEnabled = false));
    expect(step(a.next, { ...off, kind: "release" }).effects).toEqual([{ type: "cron_restore", enabled: false }]);
  });

  it("disable_extensions restores the recorded previous settings once", () => {
    const ext = cmd({ action: "disable_extensions", scope: "gateway", target: "gw" });
    const a = step(emptyState(), ext, (n) => (n.extensions = { skills: { weather: null }, plugins: { acme: true } }));
    expect(a.effects).toEqual([{ type: "extensions_disable" }]);
    const r = step(a.next, { ...ext, kind: "release" });
    expect(r.effects).toEqual([{ type: "extensions_restore", memory: { skills: { weather: null }, plugins: { acme: true } } }]);
    expect(r.next.extensions).toBeUndefined();
  });

  it("shutdown holds the gateway block and asks for a stop", () => {
    const a = step(emptyState(), cmd({ action: "shutdown", scope: "gateway", target: "gw" }));
    expect(a.effects).toEqual([{ type: "shutdown" }]);
    expect(a.next.blockAll).toContain("shut down");
  });

  it("unsupported actions and missing targets throw", () => {
    expect(() => plan(emptyState(), cmd({ action: "format_disk" }))).toThrow(/unsupported action/);
    expect(() => plan(emptyState(), cmd({ action: "deny_tool", target: "" }))).toThrow(/tool name/);
  });

  it("migrates a version-1 file (flat maps) into holds", () => {
    const s = loadState({ deniedTools: { exec: "old" }, suspendedAgents: { main: "old" }, blockAll: "old", cronWasEnabled: true });
    expect(s.deniedTools.exec).toBe("old");
    expect(s.suspendedAgents.main).toBe("old");
    expect(s.blockAll).toBe("old");
    expect(s.cronWasEnabled).toBe(true);
    // Any release of that action lifts a legacy hold.
    expect(plan(s, cmd({ action: "deny_tool", target: "exec", kind: "release" })).next.deniedTools).toEqual({});
    expect(plan(s, cmd({ action: "cron_off", scope: "gateway", target: "gw", kind: "release" })).effects).toEqual([{ type: "cron_restore", enabled: true }]);
    expect(loadState(null)).toEqual(emptyState());
  });
});
