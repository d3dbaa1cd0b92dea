import { describe, expect, it } from "vitest";
import { isWeakModel, postureFlags } from "./posture";

describe("posture flags", () => {
  it("knows weak models", () => {
    expect(isWeakModel("openai/gpt-4o-mini")).toBe(true);
    expect(isWeakModel("anthropic/claude-3-5-haiku")).toBe(true);
    expect(isWeakModel("meta/llama-3-8b")).toBe(true);
    expect(isWeakModel("anthropic/claude-sonnet-4-5")).toBe(false);
  });
  it("flags weak fallback, exec, delegation and shared credentials", () => {
    const uses = new Map([
      ["SLACK_TOKEN", ["a", "b"]],
      ["OWN", ["a"]],
    ]);
    const flags = postureFlags(
      {
        name: "a",
        scope: "external",
        model: "anthropic/claude-sonnet-4-5",
        fallbackModels: ["openai/gpt-4o-mini"],
        credentialRefs: ["SLACK_TOKEN", "OWN"],
        posture: { execMode: "full", canDelegate: true, dmPolicy: "open" },
      },
      uses,
    );
    expect(flags.map((f) => f.id).sort()).toEqual(["delegation", "exec-unrestricted", "external-exec", "open-dms", "shared-credential:SLACK_TOKEN", "weak-fallback"]);
  });
  it("a tidy internal agent has no flags", () => {
    expect(
      postureFlags(
        {
          name: "x",
          scope: "internal",
          model: "anthropic/claude-sonnet-4-5",
          fallbackModels: ["anthropic/claude-opus-4"],
          credentialRefs: ["X_KEY"],
          posture: { execMode: "deny", canDelegate: false, fsWorkspaceOnly: true },
        },
        new Map([["X_KEY", ["x"]]]),
      ),
    ).toEqual([]);
  });
});
