// Delegation provenance in the OpenClaw plugin (connectors/openclaw/lib/provenance.js): how long a
// sub-agent session keeps the person and chain it inherited.
import { describe, expect, it } from "vitest";
import { createProvenance } from "../../connectors/openclaw/lib/provenance.js";

const alice = { channel: "a2a", accountId: "default", senderId: "alice" };

describe("delegation provenance", () => {
  it("keeps a busy sub-agent's origin past the spawn's lifetime (each call slides it); an idle one expires; a send's does not slide", () => {
    let t = 0;
    const p = createProvenance({ ttlMs: 1_000, sendTtlMs: 1_000, now: () => t });
    p.noteCaller("agent:main:main", { requester: alice, chain: [] });
    p.delegate({ parentSessionKey: "agent:main:main", parentAgentId: "main", childSessionKey: "agent:worker:subagent:busy", childAgentId: "worker" });
    p.delegate({ parentSessionKey: "agent:main:main", parentAgentId: "main", childSessionKey: "agent:worker:subagent:idle", childAgentId: "worker" });
    p.delegate({ parentSessionKey: "agent:main:main", parentAgentId: "main", childSessionKey: "agent:helper:main", childAgentId: "helper", kind: "send" });
    for (t = 500; t <= 2_500; t += 500) {
      expect(p.inherited("agent:worker:subagent:busy"), `at ${t} ms`).toMatchObject({ requester: alice, chain: ["main", "worker"] });
      if (t < 1_000) expect(p.inherited("agent:helper:main")).toMatchObject({ requester: alice });
    }
    expect(p.inherited("agent:worker:subagent:idle")).toBeUndefined();
    expect(p.inherited("agent:helper:main")).toBeUndefined();
  });
});
