import { createHash } from "node:crypto";
import { describe, expect, it, vi } from "vitest";

// Count every allowlist computation and every signature made for a policy request.
const spies = vi.hoisted(() => ({ compute: 0, sign: 0 }));
vi.mock("@/lib/allowlist/effective", async (importOriginal) => {
  const orig = await importOriginal<typeof import("@/lib/allowlist/effective")>();
  return { ...orig, effectiveAllowlists: (...args: Parameters<typeof orig.effectiveAllowlists>) => (spies.compute++, orig.effectiveAllowlists(...args)) };
});
vi.mock("@/lib/signing/keys", async (importOriginal) => {
  const orig = await importOriginal<typeof import("@/lib/signing/keys")>();
  return { ...orig, signWithWardenKey: (...args: Parameters<typeof orig.signWithWardenKey>) => (spies.sign++, orig.signWithWardenKey(...args)) };
});

import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { makeUser, rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { GET } from "@/app/api/v1/connector/policy/route";
import { revokeTrustDecision } from "@/lib/tools/service";

async function fleet() {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  const agent = await db.agent.create({ data: { name: `a-${rid()}`, externalId: "main", owner: "o", purpose: "p", gatewayId: gw.id } });
  const { user, actor } = await makeUser("security_lead");
  const tool = await db.tool.create({ data: { name: `t-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
  const v = await db.toolVersion.create({ data: { toolId: tool.id, version: "1.0.0", contentHash: createHash("sha256").update(rid()).digest("hex") } });
  await db.grant.create({ data: { agentId: agent.id, toolId: tool.id, kind: "grant", reason: "test grant", grantedById: user.id } });
  const decision = await db.trustDecision.create({ data: { toolVersionId: v.id, deciderId: user.id, outcome: "approve", checklist: {}, reason: "ok", reReviewAt: new Date(Date.now() + 86_400_000) } });
  return { secret, gw, agent, user, actor, tool, decision };
}
const get = (f: { gw: { id: string }; secret: string }, headers: Record<string, string> = {}) =>
  GET(new Request("http://w/api/v1/connector/policy", { headers: { ...signedHeaders(f.secret, ""), "x-warden-gateway": f.gw.id, ...headers } }));
const counts = () => ({ ...spies });

describe("signed policy cache", () => {
  it("a 304 poll does no allowlist computation and no signing; a change recomputes and re-signs once", async () => {
    const f = await fleet();
    let res = await get(f);
    expect(res.status).toBe(200);
    const etag = res.headers.get("etag")!;
    const first = await res.json();
    const c0 = counts();
    for (let i = 0; i < 5; i++) expect((await get(f, { "if-none-match": etag })).status).toBe(304);
    // A 200 without If-None-Match is served from the cache too.
    expect((await (await get(f)).json()).signature).toBe(first.signature);
    expect(counts()).toEqual(c0);

    await revokeTrustDecision(f.actor, { id: f.decision.id, reason: "revoked for the cache test" });
    res = await get(f, { "if-none-match": etag });
    expect(res.status).toBe(200);
    expect(counts()).toEqual({ compute: c0.compute + 1, sign: c0.sign + 1 });
    const etag2 = res.headers.get("etag")!;
    expect((await get(f, { "if-none-match": etag2 })).status).toBe(304);
    expect(counts()).toEqual({ compute: c0.compute + 1, sign: c0.sign + 1 });

    // Invalidated without a content change: recomputed once, not re-signed, same ETag.
    await db.$executeRaw`select warden_policy_touch(array[${f.gw.id}::uuid])`;
    expect((await get(f, { "if-none-match": etag2 })).status).toBe(304);
    expect(counts()).toEqual({ compute: c0.compute + 2, sign: c0.sign + 1 });
  });

  it("is recomputed when a time bound in it passes (an exception ends), with no change to push", async () => {
    const f = await fleet();
    const t2 = await db.tool.create({ data: { name: `t-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    await db.grant.create({ data: { agentId: f.agent.id, toolId: t2.id, kind: "exception", reason: "short exception", expiresAt: new Date(Date.now() + 1500), grantedById: f.user.id } });
    const before = await (await get(f)).json();
    expect(before.policy.agents[0].tools.map((t: { name: string }) => t.name)).toContain(t2.name);
    await new Promise((r) => setTimeout(r, 1700));
    const after = await (await get(f)).json();
    expect(after.policy.agents[0].tools.map((t: { name: string }) => t.name)).not.toContain(t2.name);
  });

  it("carries an expiry (per-gateway lifetime and mode) and is re-signed before half of it passes, with a new ETag for the same version", async () => {
    const f = await fleet();
    await db.gateway.update({ where: { id: f.gw.id }, data: { policyTtlSeconds: 600, onPolicyExpiry: "keep_last" } });
    let res = await get(f);
    const a = await res.json();
    expect(Date.parse(a.policy.expiresAt) - Date.parse(a.policy.issuedAt)).toBe(600_000);
    expect(a.policy.onExpiry).toBe("keep_last");
    const etag = res.headers.get("etag")!;
    // Simulate time passing: the stored signature now expires in a minute.
    await db.gatewayPolicyCache.update({ where: { gatewayId: f.gw.id }, data: { expiresAt: new Date(Date.now() + 60_000), validUntil: new Date(Date.now() - 1) } });
    const c0 = counts();
    res = await get(f, { "if-none-match": etag });
    expect(res.status).toBe(200);
    const b = await res.json();
    expect(b.policy.version).toBe(a.policy.version);
    expect(res.headers.get("etag")).not.toBe(etag);
    expect(counts().sign).toBe(c0.sign + 1);

    // Default lifetime (24 h) and fail-closed mode.
    const g = await fleet();
    const d = await (await get(g)).json();
    expect(Date.parse(d.policy.expiresAt) - Date.parse(d.policy.issuedAt)).toBe(86_400_000);
    expect(d.policy.onExpiry).toBe("deny");
  });

  it("records the policy version and expiry the gateway reports holding", async () => {
    const f = await fleet();
    const p = await (await get(f)).json();
    await get(f, { "x-warden-policy-version": p.policy.version, "x-warden-policy-expires": p.policy.expiresAt });
    expect(await db.gateway.findUniqueOrThrow({ where: { id: f.gw.id }, select: { policyVersionApplied: true, policyExpiresReported: true } })).toEqual({
      policyVersionApplied: p.policy.version,
      policyExpiresReported: new Date(p.policy.expiresAt),
    });
    // Hostile values are ignored.
    await get(f, { "x-warden-policy-version": "<script>", "x-warden-policy-expires": "x".repeat(500) });
    expect((await db.gateway.findUniqueOrThrow({ where: { id: f.gw.id } })).policyVersionApplied).toBe(p.policy.version);
  });
});
