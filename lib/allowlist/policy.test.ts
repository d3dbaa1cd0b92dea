import { createHash, createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { canonicalJson } from "@/lib/signing/canonical";
import { makeUser, rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { wardenPublicKey } from "@/lib/signing/keys";
import { GET } from "@/app/api/v1/connector/policy/route";

async function fleet() {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  const agent = await db.agent.create({ data: { name: `a-${rid()}`, externalId: "main", owner: "o", purpose: "p", gatewayId: gw.id } });
  const { user } = await makeUser("security_lead");
  const tool = await db.tool.create({ data: { name: `t-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
  const hash = createHash("sha256").update(rid()).digest("hex");
  const v = await db.toolVersion.create({ data: { toolId: tool.id, version: "1.0.0", contentHash: hash } });
  await db.grant.create({ data: { agentId: agent.id, toolId: tool.id, kind: "grant", reason: "test grant", grantedById: user.id } });
  return { secret, gw, agent, tool, hash, v, user };
}

const get = (gwId: string, secret: string, headers: Record<string, string> = {}) =>
  GET(new Request("http://warden/api/v1/connector/policy", { headers: { ...signedHeaders(secret, ""), "x-warden-gateway": gwId, ...headers } }));

describe("connector policy", () => {
  it("is signed with Warden's Ed25519 key, versioned with an ETag, and only lists approved versions", async () => {
    const f = await fleet();
    let res = await get(f.gw.id, f.secret);
    expect(res.status).toBe(200);
    let body = await res.json();
    expect(body.policy.agents).toEqual([expect.objectContaining({ id: "main", wardenId: f.agent.id, tools: [] })]); // granted but not approved: denied
    const pk = await wardenPublicKey();
    expect(verify(null, Buffer.from(canonicalJson(body.policy)), createPublicKey(pk.publicKeyPem), Buffer.from(body.signature, "base64"))).toBe(true);
    // Tampering breaks the signature.
    const tampered = { ...body.policy, defaultDecision: "allow" };
    expect(verify(null, Buffer.from(canonicalJson(tampered)), createPublicKey(pk.publicKeyPem), Buffer.from(body.signature, "base64"))).toBe(false);

    const etag = res.headers.get("etag")!;
    expect((await get(f.gw.id, f.secret, { "if-none-match": etag })).status).toBe(304);

    await db.trustDecision.create({ data: { toolVersionId: f.v.id, deciderId: f.user.id, outcome: "approve", checklist: {}, reason: "ok", reReviewAt: new Date(Date.now() + 86_400_000) } });
    res = await get(f.gw.id, f.secret, { "if-none-match": etag });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).not.toBe(etag);
    body = await res.json();
    expect(body.policy.agents[0].tools).toEqual([{ name: f.tool.name, kind: "tool", versions: [{ version: "1.0.0", contentHash: f.hash }] }]);
  });

  it("refuses unsigned or wrongly signed requests", async () => {
    const f = await fleet();
    expect((await GET(new Request("http://warden/api/v1/connector/policy", { headers: { "x-warden-gateway": f.gw.id } }))).status).toBe(401);
    expect((await get(f.gw.id, generateSigningSecret())).status).toBe(401);
    const headers = { ...signedHeaders(f.secret, ""), "x-warden-gateway": f.gw.id };
    expect((await GET(new Request("http://warden/x", { headers }))).status).toBe(200);
    const replay = await GET(new Request("http://warden/x", { headers }));
    expect(replay.status).toBe(409);
    expect((await replay.json()).error.code).toBe("replayed");
  });
});
