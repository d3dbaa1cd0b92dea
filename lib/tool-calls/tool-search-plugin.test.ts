// The OpenClaw plugin's reading of Tool Search's `tool_call` wrapper (connectors/openclaw): the
// decision is made on the tool the wrapper names, and a wrapper it cannot read is blocked.
import { describe, expect, it } from "vitest";
import { innerCall, wrapperIdOf, REFUSED } from "../../connectors/openclaw/lib/tool-search.js";

describe("Tool Search wrapper (tool_call)", () => {
  it("reads the named tool and its arguments in both shapes OpenClaw accepts", () => {
    expect(innerCall({ id: "fx_write", args: { text: "a" } })).toEqual({ name: "fx_write", args: { text: "a" } });
    expect(innerCall({ id: "openclaw:sidefx:fx_write", args: { text: "a" } })).toEqual({ name: "fx_write", args: { text: "a" } });
    expect(innerCall({ id: "fx_write", text: "flat", name: "bob" })).toEqual({ name: "fx_write", args: { text: "flat", name: "bob" } });
    expect(innerCall({ id: "fx_write" })).toEqual({ name: "fx_write", args: {} });
    // Another catalog's id is taken whole: only exactly that name can be approved.
    expect(innerCall({ id: "mcp:calendar:create_event", args: {} })).toEqual({ name: "mcp:calendar:create_event", args: {} });
  });

  it("fails closed on a wrapper whose tool is missing, odd or nested", () => {
    const hostile: unknown[] = [
      undefined,
      null,
      "fx_write",
      ["fx_write"],
      42,
      {},
      { id: "" },
      { id: 7 },
      { id: null },
      { id: ["fx_write"] },
      { id: { name: "fx_write" } },
      { name: "fx_write", args: {} },
      { id: " fx_write" },
      { id: "fx_write\n" },
      { id: "fx\u0000write" },
      { id: "x".repeat(201) },
      { id: "fx\u2028write" },
      { id: "tool_call", args: { id: "fx_write", args: { text: "a" } } },
      { id: "openclaw:core:tool_call", args: { id: "fx_write" } },
      { id: "tool_search_code", args: { code: "x" } },
      { id: "tool_search" },
      { id: "tool_describe" },
      { id: "fx_write", args: "text=a" },
      { id: "fx_write", args: ["a"] },
      { id: "fx_write", args: { text: "a" }, text: "b" },
      Object.create({ id: "fx_write" }),
    ];
    for (const p of hostile) expect(innerCall(p).error, JSON.stringify(p) ?? String(p)).toEqual(expect.any(String));
  });

  it("links the wrapped tool's call to its wrapper, and knows OpenClaw's refusals", () => {
    expect(wrapperIdOf("tool_search_code:call_abc:fx_write:1", "fx_write")).toBe("call_abc");
    expect(wrapperIdOf("tool_search_code:call:with:colons:fx_write:12", "fx_write")).toBe("call:with:colons");
    for (const [id, name] of [
      ["call_abc", "fx_write"],
      ["tool_search_code:call_abc:other:1", "fx_write"],
      ["tool_search_code::fx_write:1", "fx_write"],
      ["tool_search_code:call_abc:fx_write:x", "fx_write"],
      [undefined, "fx_write"],
    ]) {
      expect(wrapperIdOf(id, name)).toBeUndefined();
    }
    expect(REFUSED.test('Invalid arguments for tool "openclaw:sidefx:fx_write": text: must be string.')).toBe(true);
    expect(REFUSED.test('Validation failed for tool "exec":')).toBe(true);
    expect(REFUSED.test("ENOENT: no such file")).toBe(false);
  });
});
