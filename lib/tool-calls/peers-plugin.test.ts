// The OpenClaw plugin's reading of calls that reach another agent (connectors/openclaw/lib/peers.js):
// which gateway agent a sessions_send / sessions_spawn reaches, and the policy's `peers` verdict.
import { describe, expect, it } from "vitest";
import { checkPeer, linkTargetOf, normalizeAgentId } from "../../connectors/openclaw/lib/peers.js";

describe("target agent of a call", () => {
  it("reads sessions_send and sessions_spawn the way OpenClaw resolves them", () => {
    expect(linkTargetOf("sessions_send", { sessionKey: "agent:beta:main", message: "hi" }, "alpha")).toEqual({ target: "beta" });
    expect(linkTargetOf("sessions_send", { sessionKey: " Agent:Beta:subagent:x ", message: "hi" }, "alpha")).toEqual({ target: "beta" });
    // sessionKey wins over agentId and label (OpenClaw ignores them when a key is given).
    expect(linkTargetOf("sessions_send", { sessionKey: "agent:beta:main", agentId: "alpha", label: "x", message: "hi" }, "alpha")).toEqual({ target: "beta" });
    expect(linkTargetOf("sessions_send", { agentId: "Beta", message: "hi" }, "alpha")).toEqual({ target: "beta" });
    expect(linkTargetOf("sessions_send", { label: "research", agentId: "beta", message: "hi" }, "alpha")).toEqual({ target: "beta" });
    expect(linkTargetOf("sessions_send", { sessionKey: "main", message: "hi" }, "alpha")).toEqual({ target: "alpha" });
    expect(linkTargetOf("sessions_send", { sessionKey: "  ", agentId: "beta", message: "hi" }, "alpha")).toEqual({ target: "beta" });
    expect(linkTargetOf("sessions_spawn", { task: "t", agentId: "beta" }, "alpha")).toEqual({ target: "beta" });
    expect(linkTargetOf("sessions_spawn", { task: "t" }, "alpha")).toEqual({ target: "alpha" });
    expect(linkTargetOf("sessions_send", { message: "no target" }, "alpha")).toBeNull();
    for (const tool of ["read", "exec", "sessions_list", "tool_call", "conversations_send"]) expect(linkTargetOf(tool, { sessionKey: "agent:beta:main", agentId: "beta" }, "alpha")).toBeNull();
    expect(normalizeAgentId(" Research Team ")).toBe("research-team");
  });

  it("cannot tell the target of other session keys, a bare label, or odd arguments", () => {
    const unknown: unknown[] = [
      { sessionKey: "9b2c1f7e-0000-4000-8000-000000000000", message: "m" }, // a session id: any agent's
      { sessionKey: "global", message: "m" },
      { sessionKey: "agent:beta", message: "m" },
      { sessionKey: "agent::main", message: "m" },
      { sessionKey: "agent:beta::x", message: "m" },
      { sessionKey: "agent:!!!:main", message: "m" },
      { sessionKey: 42, message: "m" },
      { sessionKey: ["agent:beta:main"], message: "m" },
      { label: "research", message: "m" },
      { label: 7, agentId: "beta", message: "m" },
      { agentId: "!!!", message: "m" },
      { agentId: { id: "beta" }, message: "m" },
    ];
    for (const p of unknown) expect(linkTargetOf("sessions_send", p, "alpha"), JSON.stringify(p)).toEqual({ unknown: expect.any(String) });
    expect(linkTargetOf("sessions_spawn", { task: "t", agentId: 5 }, "alpha")).toEqual({ unknown: expect.any(String) });
    expect(linkTargetOf("sessions_spawn", { task: "t" }, undefined)).toEqual({ unknown: expect.any(String) });
  });
});

describe("peers in the policy", () => {
  const agent = { id: "alpha", peers: ["beta"] };
  it("allows approved peers and the agent itself, blocks every other target and unknown targets", () => {
    expect(checkPeer(agent, { target: "beta" })).toBeNull();
    expect(checkPeer(agent, { target: "alpha" })).toBeNull();
    expect(checkPeer({ id: "Alpha", peers: ["Beta"] }, { target: "beta" })).toBeNull();
    expect(checkPeer(agent, { target: "gamma" })).toEqual({ code: "peer_not_approved", reason: expect.stringContaining('may not reach agent "gamma"') });
    expect(checkPeer({ id: "alpha", peers: [] }, { target: "beta" })?.code).toBe("peer_not_approved");
    expect(checkPeer(agent, { unknown: "a label without agentId" })).toEqual({ code: "peer_unknown", reason: expect.stringContaining("fail closed") });
    expect(checkPeer(agent, null)).toBeNull();
  });
  it("does not enforce without a peers list (a policy from before peers)", () => {
    expect(checkPeer({ id: "alpha" }, { target: "gamma" })).toBeNull();
    expect(checkPeer({ id: "alpha", peers: "beta" }, { target: "gamma" })).toBeNull();
  });
});
