import { describe, expect, it } from "vitest";
import { toolCallIdsOf } from "./queries";

describe("toolCallIdsOf (an explorer row's event id → the gateway's toolCallId of its approvals)", () => {
  it("finds the gateway's id behind the plugin's call key <toolCallId>@<runId>.<phase>", () => {
    expect(toolCallIdsOf("call_0@run-1.decision")).toContain("call_0");
    expect(toolCallIdsOf("tool_search_code:w1:write:0@r9.result")).toContain("tool_search_code:w1:write:0");
  });
  it("keeps plain ids and ids with a phase suffix", () => {
    expect(toolCallIdsOf("call_7")).toEqual(["call_7"]);
    expect(toolCallIdsOf("call_7.decision")).toEqual(["call_7.decision", "call_7"]);
  });
});
