import { describe, expect, it } from "vitest";
import { globMatch, judgeModel, modelKey, verdictFor, type ModelRuleLike } from "./policy";
import { postureFlags } from "@/lib/agents/posture";

describe("model policy matching", () => {
  it("globs: * matches any run of characters, the rest literally, the whole key", () => {
    expect(globMatch("openai/*", "openai/gpt-4o")).toBe(true);
    expect(globMatch("openai/*", "openrouter/openai/gpt-4o")).toBe(false);
    expect(globMatch("*/gpt-4o*", "openrouter/openai/gpt-4o-mini")).toBe(true);
    expect(globMatch("anthropic/claude-opus-*", "anthropic/claude-sonnet-4-5")).toBe(false);
    expect(globMatch("openai/gpt-4o", "openai/gpt-4o-mini")).toBe(false);
    expect(globMatch("a.b/*", "axb/c")).toBe(false); // no regex semantics
    expect(globMatch("*", "")).toBe(true);
    expect(modelKey("OpenAI", "GPT-4o")).toBe("openai/gpt-4o");
    expect(modelKey("openrouter", "openrouter/anthropic/claude")).toBe("openrouter/anthropic/claude");
  });

  it("the most specific rule wins, a tie goes to the strictest; a scope with allowed rules is an allowlist", () => {
    const rules: ModelRuleLike[] = [
      { scope: "external", pattern: "openai/*", status: "allowed" },
      { scope: "external", pattern: "openai/gpt-4o-mini", status: "denied" },
      { scope: "external", pattern: "openai/gpt-4*", status: "weak" },
      { scope: "external", pattern: "openai/gpt-4.*", status: "allowed" },
      { scope: "internal", pattern: "acme/*", status: "denied" },
    ];
    expect(verdictFor(rules, "external", "openai/gpt-4o-mini")).toEqual({ status: "denied", rule: "openai/gpt-4o-mini" });
    expect(verdictFor(rules, "external", "openai/gpt-4o")).toEqual({ status: "weak", rule: "openai/gpt-4*" });
    expect(verdictFor(rules, "external", "openai/o3")).toEqual({ status: "allowed", rule: "openai/*" });
    expect(verdictFor(rules, "external", "anthropic/claude-opus-4-5")).toEqual({ status: "unlisted", rule: null });
    // Only denials: everything else is allowed (no policy speaks about it).
    expect(verdictFor(rules, "internal", "anthropic/claude-opus-4-5")).toEqual({ status: "no_policy", rule: null });
    expect(verdictFor(rules, "internal", "acme/x")).toEqual({ status: "denied", rule: "acme/*" });
    // Same specificity: the stricter status.
    const tie: ModelRuleLike[] = [
      { scope: "internal", pattern: "x/a*", status: "allowed" },
      { scope: "internal", pattern: "x/*a", status: "denied" },
    ];
    expect(verdictFor(tie, "internal", "x/aba").status).toBe("denied");
  });

  it("a fallback is weaker when the policy marks it weak or does not allow it, or (no rule) when it is a smaller family than the primary", () => {
    const rules: ModelRuleLike[] = [
      { scope: "internal", pattern: "openai/gpt-4o", status: "weak" },
      { scope: "internal", pattern: "openai/gpt-4o-mini", status: "allowed" },
      { scope: "internal", pattern: "*", status: "allowed" },
    ];
    expect(judgeModel(rules, "internal", "openai/gpt-4o", { used: true, primary: "anthropic/claude-opus-4-5" })).toMatchObject({ weakFallback: true, notAllowed: false });
    expect(judgeModel(rules, "internal", "openai/gpt-4o", { used: false, primary: null })).toMatchObject({ weakFallback: false, notAllowed: false });
    // Explicitly allowed: the security lead's decision beats the name heuristic.
    expect(judgeModel(rules, "internal", "openai/gpt-4o-mini", { used: true, primary: "anthropic/claude-opus-4-5" })).toMatchObject({ weakFallback: false });
    // No rules at all: the heuristic.
    expect(judgeModel([], "external", "openai/gpt-4o-mini", { used: true, primary: "anthropic/claude-opus-4-5" })).toMatchObject({ weakFallback: true, notAllowed: false });
    expect(judgeModel([], "external", "openai/gpt-4o-mini", { used: true, primary: "anthropic/claude-haiku-4-5" })).toMatchObject({ weakFallback: false });
    expect(judgeModel([], "external", "anthropic/claude-opus-4-5", { used: true, primary: "openai/gpt-5" })).toMatchObject({ weakFallback: false });
  });

  it("the weak-fallback posture flag uses the models an agent was seen falling back to", () => {
    const agent = { name: "a", scope: "internal", model: "anthropic/claude-opus-4-5", fallbackModels: [] as string[], credentialRefs: [], posture: {} };
    expect(postureFlags(agent, new Map()).map((f) => f.id)).toEqual([]);
    const flags = postureFlags({ ...agent, observed: { primary: "anthropic/claude-opus-4-5", fallbacks: ["openai/gpt-4o-mini"] } }, new Map());
    expect(flags.map((f) => f.id)).toEqual(["weak-fallback"]);
    expect(flags[0].detail).toContain("reported model calls falling back to openai/gpt-4o-mini");
    // The typed record says the primary is strong, but telemetry shows the agent runs a small model: no "weaker" fallback.
    expect(postureFlags({ ...agent, fallbackModels: ["openai/gpt-4o-mini"], observed: { primary: "openai/gpt-5-nano", fallbacks: [] } }, new Map())).toEqual([]);
  });
});

describe("weak model families", () => {
  it("match whole family words only", async () => {
    const { isWeakModel } = await import("@/lib/agents/posture");
    for (const m of [
      "openai/gpt-4o-mini",
      "google/gemini-2.5-flash",
      "google/gemini-2.5-flash-lite",
      "anthropic/claude-haiku-4-5",
      "openai/o4-mini",
      "openai/gpt-5-nano",
      "meta/llama-3-8b",
      "openai/gpt-3.5-turbo",
    ])
      expect(isWeakModel(m), m).toBe(true);
    for (const m of ["google/gemini-2.5-pro", "anthropic/claude-opus-4-5", "openai/gpt-5", "openai/gpt-4.1", "mistral/ministral-large"]) expect(isWeakModel(m), m).toBe(false);
  });
});
