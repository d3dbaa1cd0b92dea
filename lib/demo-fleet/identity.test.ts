// The demo gateways' identity decision (./identity.ts): the worked example of docs/identity.md, scope
// narrowing along a chain, and a per-person rate limit across sub-agents that denied calls do not use up.
import { describe, expect, it } from "vitest";
import { requesterKey } from "@/lib/people/keys";
import { RateWindow, identityDecision, type IdentitySection } from "./identity";

const jonas = { channel: "slack", accountId: "acme", senderId: "U02JONAS8K" };
const maya = { channel: "slack", accountId: "acme", senderId: "U04MAYA7Q2" };
const stranger = { channel: "webchat", senderId: "wc_7f3a91" };
const section: IdentitySection = {
  people: { [requesterKey(jonas)!]: { person: "p-jonas", groups: ["g-editors"] }, [requesterKey(maya)!]: { person: "p-maya", groups: [] } },
  rules: [
    { id: "r1", subject: "anyone", agent: "content-publisher", tool: "github-mcp", effect: "deny", reason: "editors only" },
    { id: "r2", subject: "group", subjectId: "g-editors", agent: "content-publisher", tool: "github-mcp", effect: "allow", reason: "editors" },
    { id: "r3", subject: "unidentified", agent: "customer-support", effect: "deny", reason: "known senders only" },
    { id: "r4", subject: "person", subjectId: "p-maya", tool: "web_fetch", effect: "require_approval", reason: "Maya's fetches are reviewed" },
    { id: "r5", subject: "anyone", agent: "seo-research", tool: "write", effect: "deny", reason: "research does not write" },
    { id: "r6", subject: "anyone", agent: "seo-research", tool: "write", effect: "allow", reason: "tie: deny wins" },
  ],
  rateLimits: [{ id: "l1", subject: "anyone", perMinute: 3, shared: false }],
};
const verdict = (requester: typeof jonas | typeof stranger | undefined, agentId: string, toolName: string, chain: string[] = []) =>
  identityDecision(section, { agentId, toolName, requester, chain }, null);

describe("identityDecision", () => {
  it("the most specific rule wins, deny before approval before allow on a tie", () => {
    expect(verdict(jonas, "content-publisher", "github-mcp")).toMatchObject({ allow: true, personId: "p-jonas" });
    expect(verdict(maya, "content-publisher", "github-mcp")).toMatchObject({ allow: false, code: "identity_denied", ruleId: "r1" });
    expect(verdict(stranger, "content-publisher", "github-mcp")).toMatchObject({ allow: false, ruleId: "r1" });
    expect(verdict(undefined, "customer-support", "read")).toMatchObject({ allow: false, ruleId: "r3" });
    // An unmapped sender is not "unidentified": it has a provable key.
    expect(verdict(stranger, "customer-support", "read")).toMatchObject({ allow: true });
    expect(verdict(maya, "analytics", "web_fetch")).toMatchObject({ allow: false, code: "identity_approval", ruleId: "r4" });
    expect(verdict(jonas, "seo-research", "write")).toMatchObject({ allow: false, ruleId: "r5" });
    // No identity section: no identity restriction.
    expect(identityDecision(null, { agentId: "customer-support", toolName: "read" }, null)).toMatchObject({ allow: true });
  });

  it("a delegated call needs every agent of its chain allowed for the originating person", () => {
    expect(verdict(jonas, "content-publisher", "write", ["seo-research", "content-publisher"])).toMatchObject({ allow: false, ruleId: "r5" });
    expect(verdict(jonas, "content-publisher", "read", ["seo-research", "content-publisher"])).toMatchObject({ allow: true });
  });

  it("a per-person limit counts allowed calls across sub-agents over a sliding minute; denied calls do not count", () => {
    const w = new RateWindow();
    const t0 = 1_000_000;
    const call = (toolName: string, chain: string[], at: number) => {
      const v = identityDecision(section, { agentId: chain.at(-1) ?? "seo-research", toolName, requester: jonas, chain }, w, at);
      if (v.allow) w.add(v.counted, at);
      return v.allow;
    };
    expect(call("read", [], t0)).toBe(true);
    expect(call("write", ["seo-research", "content-publisher"], t0 + 1)).toBe(false); // denied: not counted
    expect(call("read", ["analytics", "analytics"], t0 + 2)).toBe(true);
    expect(call("read", ["seo-research", "content-publisher"], t0 + 3)).toBe(true);
    expect(identityDecision(section, { agentId: "analytics", toolName: "read", requester: jonas }, w, t0 + 4)).toMatchObject({ allow: false, code: "rate_limited", ruleId: "l1" });
    // Another person has their own count; a minute later Jonas has room again.
    expect(identityDecision(section, { agentId: "analytics", toolName: "read", requester: maya }, w, t0 + 5)).toMatchObject({ allow: true });
    expect(identityDecision(section, { agentId: "analytics", toolName: "read", requester: jonas }, w, t0 + 60_001)).toMatchObject({ allow: true });
  });
});
