import { describe, expect, it } from "vitest";
import { bindHost, isLoopbackBind, postureChecks, postureKey, POSTURE_CHECK_IDS } from "./posture";

const ids = (inv: unknown, opts?: Parameters<typeof postureChecks>[1]) => postureChecks(inv, opts).map((c) => [c.checkId, c.agentId ?? c.channelId ?? null]);
const base = {
  agents: [{ id: "main", name: "Main", model: "claude-sonnet-4", fallbackModels: ["gpt-5"], tools: ["web_fetch"] }],
  tools: [],
  channels: [],
  config: { bind: "loopback", execMode: "allowlist" },
};

describe("postureChecks", () => {
  it("finds nothing in a safe inventory, and tolerates empty or odd input", () => {
    expect(postureChecks(base)).toEqual([]);
    for (const v of [undefined, null, 42, "x", [], {}, { agents: "all", config: [], channels: 3 }, { agents: [null, 1, { name: "no id" }] }]) expect(postureChecks(v)).toEqual([]);
  });

  it("only emits known check ids and severities within the Severity enum", () => {
    const all = postureChecks(
      {
        ...base,
        config: { bind: "lan", execMode: "full", subagents: true },
        agents: [{ id: "a", model: "claude-opus", fallbackModels: ["gpt-4o-mini"], execMode: "full", canDelegate: true }],
        channels: [{ id: "slack", enabled: true, connected: false }],
      },
      { activeChannels: new Set() },
    );
    expect(new Set(all.map((c) => c.checkId))).toEqual(new Set(POSTURE_CHECK_IDS));
    for (const c of all) expect(["low", "medium", "high", "critical"]).toContain(c.severity);
  });

  describe("warden.bind_beyond_loopback", () => {
    it.each(["loopback", "127.0.0.1", "127.1.2.3:18789", "localhost", "LOCALHOST:80", "::1", "[::1]:18789", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "ws://127.0.0.1:18789/"])("accepts %s", (bind) => {
      expect(isLoopbackBind(bind)).toBe(true);
      expect(ids({ config: { bind } })).toEqual([]);
    });

    it.each(["0.0.0.0", "0.0.0.0:18789", "lan", "auto", "tailnet", "192.168.1.5", "::", "[::]:18789", "gateway.example.com", "128.0.0.1"])("flags %s as high", (bind) => {
      expect(isLoopbackBind(bind)).toBe(false);
      const [c] = postureChecks({ config: { bind } });
      expect(c).toMatchObject({ checkId: "warden.bind_beyond_loopback", severity: "high", evidence: { bind } });
      expect(c.agentId).toBeUndefined();
    });

    it("reads OpenClaw's gateway.bind and custom bind host, and ignores a missing bind", () => {
      expect(ids({ config: { gateway: { bind: "lan" } } })).toEqual([["warden.bind_beyond_loopback", null]]);
      expect(ids({ config: { gateway: { bind: "custom", customBindHost: "10.0.0.2" } } })).toEqual([["warden.bind_beyond_loopback", null]]);
      expect(ids({ config: { gateway: { bind: "custom", customBindHost: "127.0.0.1" } } })).toEqual([]);
      expect(ids({ config: { bind: "" } })).toEqual([]);
      expect(ids({ config: { bind: 0 } })).toEqual([]);
      expect(bindHost("[fe80::1]:443")).toBe("fe80::1");
    });
  });

  describe("warden.exec_unrestricted", () => {
    it("flags a global exec mode full in any of its shapes, once", () => {
      for (const config of [{ execMode: "full" }, { execMode: "FULL" }, { exec: { security: "full" } }, { tools: { exec: { security: "full", ask: "off" } } }, { tools: { exec: { mode: "full" } } }]) {
        const found = postureChecks({ config });
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({ checkId: "warden.exec_unrestricted", severity: "high" });
        expect(found[0].agentId).toBeUndefined();
      }
      expect(postureChecks({ config: { tools: { exec: { security: "full", ask: "off" } } } })[0].evidence).toEqual({ execMode: "full", ask: "off" });
    });

    it("does not flag allowlist/deny, or ask off on its own", () => {
      for (const config of [{ execMode: "allowlist" }, { execMode: "deny" }, { tools: { exec: { security: "allowlist", ask: "off" } } }, { tools: { exec: { ask: "off" } } }])
        expect(ids({ config })).toEqual([]);
    });

    it("flags each agent with exec full, per agent", () => {
      const inv = {
        agents: [
          { id: "a", name: "Alpha", execMode: "full" },
          { id: "b", name: "b", posture: { execMode: "full" } },
          { id: "c", name: "c", tools: { exec: { security: "full" } } },
          { id: "d", name: "d", exec: { security: "full" } },
          { id: "e", name: "e", execMode: "allowlist" },
        ],
      };
      const found = postureChecks(inv);
      expect(found.map((c) => [c.checkId, c.agentId])).toEqual(["a", "b", "c", "d"].map((id) => ["warden.exec_unrestricted", id]));
      expect(found[0]).toMatchObject({ severity: "high", agentName: "Alpha", title: "Unrestricted exec on Alpha (a)" });
      expect(found[1].agentName).toBeUndefined();
    });

    it("reports an agent once even when listed twice, and takes agents as a map", () => {
      expect(
        ids({
          agents: [
            { id: "a", execMode: "full" },
            { id: "a", execMode: "full" },
          ],
        }),
      ).toEqual([["warden.exec_unrestricted", "a"]]);
      expect(ids({ agents: { ops: { execMode: "full" } } })).toEqual([["warden.exec_unrestricted", "ops"]]);
    });
  });

  describe("warden.delegation_allowed", () => {
    it.each([
      ["canDelegate", { canDelegate: true }],
      ["posture.canDelegate", { posture: { canDelegate: true } }],
      ["delegation", { delegation: { enabled: true } }],
      ["subagents true", { subagents: true }],
      ["subagents.allowAgents", { subagents: { allowAgents: ["*"] } }],
      ["subagents.enabled", { subagents: { enabled: true } }],
      ["a tool list with sessions_spawn", { tools: ["web_fetch", "sessions_spawn"] }],
      ["a tool policy allowing group:sessions", { tools: { allow: ["group:sessions"] } }],
    ])("flags an agent with %s as medium", (_label, extra) => {
      const [c, ...more] = postureChecks({ agents: [{ id: "a", name: "a", ...extra }] });
      expect(more).toEqual([]);
      expect(c).toMatchObject({ checkId: "warden.delegation_allowed", severity: "medium", agentId: "a" });
    });

    it.each([
      ["canDelegate false", { canDelegate: false }],
      ["subagents with nobody allowed", { subagents: { allowAgents: [] } }],
      ["subagents disabled", { subagents: { enabled: false, allowAgents: ["*"] } }],
      ["sessions_spawn allowed then denied", { tools: { allow: ["sessions_spawn"], deny: ["sessions_spawn"] } }],
      ["sessions tools denied as a group", { tools: { allow: ["sessions_spawn"], deny: ["group:sessions"] } }],
      ["unrelated tools", { tools: ["exec", "web_fetch"] }],
    ])("does not flag %s", (_label, extra) => {
      expect(ids({ agents: [{ id: "a", name: "a", ...extra }] })).toEqual([]);
    });

    it("flags delegation in the config or agent defaults once, without an agent", () => {
      for (const config of [{ toolsAllow: ["sessions_spawn"] }, { subagents: { allowAgents: ["ops"] } }, { agents: { defaults: { subagents: { allowAgents: ["*"] } } } }]) {
        const found = postureChecks({ config });
        expect(found.map((c) => [c.checkId, c.agentId])).toEqual([["warden.delegation_allowed", undefined]]);
      }
      expect(ids({ config: { toolsAllow: ["sessions_spawn"], toolsDeny: ["sessions_spawn"] } })).toEqual([]);
    });
  });

  describe("warden.weak_fallback_model", () => {
    it("flags a strong primary with a weak fallback as high", () => {
      const [c] = postureChecks({ agents: [{ id: "a", name: "Support", model: "claude-sonnet-4", fallbackModels: ["gpt-5", "gpt-4o-mini", "claude-haiku"] }] });
      expect(c).toMatchObject({ checkId: "warden.weak_fallback_model", severity: "high", agentId: "a", evidence: { model: "claude-sonnet-4", weakFallbacks: ["gpt-4o-mini", "claude-haiku"] } });
      expect(c.detail).toContain("gpt-4o-mini, claude-haiku");
    });

    it("reads OpenClaw's {primary, fallbacks} model shape and a fallbacks list", () => {
      expect(ids({ agents: [{ id: "a", model: { primary: "anthropic/claude-opus-4", fallbacks: ["google/gemini-2.5-flash"] } }] })).toEqual([["warden.weak_fallback_model", "a"]]);
      expect(ids({ agents: [{ id: "a", model: "gpt-5", fallbacks: ["gpt-5-nano"] }] })).toEqual([["warden.weak_fallback_model", "a"]]);
    });

    it.each([
      ["strong fallbacks only", { model: "claude-sonnet-4", fallbackModels: ["gpt-5"] }],
      ["a weak primary", { model: "gpt-4o-mini", fallbackModels: ["claude-haiku"] }],
      ["no primary", { fallbackModels: ["claude-haiku"] }],
      ["no tools", { model: "claude-sonnet-4", fallbackModels: ["claude-haiku"], tools: [] }],
    ])("does not flag %s", (_label, agent) => {
      expect(ids({ agents: [{ id: "a", ...agent }] })).toEqual([]);
    });
  });

  describe("warden.channel_unused", () => {
    const channels = [
      { id: "slack", enabled: true, connected: true },
      { id: "telegram", enabled: true, connected: false },
      { id: "whatsapp", enabled: false, connected: false },
      { id: "discord", enabled: true },
    ];

    it("without activity data flags only enabled channels reported not connected, as low", () => {
      const found = postureChecks({ channels });
      expect(found).toEqual([expect.objectContaining({ checkId: "warden.channel_unused", severity: "low", channelId: "telegram", evidence: { reason: "not connected", connected: false } })]);
      expect(found[0].agentId).toBeUndefined();
    });

    it("with activity data also flags enabled channels with no recent tool calls", () => {
      expect(ids({ channels }, { activeChannels: new Set(["slack"]) })).toEqual([
        ["warden.channel_unused", "telegram"],
        ["warden.channel_unused", "discord"],
      ]);
      const found = postureChecks({ channels: [{ id: "Discord", enabled: true }] }, { activeChannels: new Set(), activityDays: 3 });
      expect(found[0].detail).toContain("last 3 days");
      expect(ids({ channels: [{ id: "Discord", enabled: true }] }, { activeChannels: new Set(["discord"]) })).toEqual([]);
    });

    it("reads channels as a map (OpenClaw channels.status) with running/configured", () => {
      const map = { slack: { enabled: true, running: false }, telegram: { configured: false, running: false }, signal: { running: true } };
      expect(ids({ channels: map })).toEqual([["warden.channel_unused", "slack"]]);
    });
  });

  it("keys checks by check id plus agent or channel", () => {
    expect(postureKey({ checkId: "x" })).not.toBe(postureKey({ checkId: "x", agentId: "a" }));
    expect(postureKey({ checkId: "x", agentId: "a" })).not.toBe(postureKey({ checkId: "x", channelId: "a" }));
    expect(postureKey({ checkId: "x", agentId: "a" })).toBe(postureKey({ checkId: "x", agentId: "a" }));
  });
});
