import { describe, expect, it, vi } from "vitest";

// The rate is read when lib/connector/auth.ts loads: set it low before the imports run.
vi.hoisted(() => {
  process.env.WARDEN_CONNECTOR_RATE = "2";
});

import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "./signature";
import { POST } from "@/app/api/v1/connector/events/route";

describe("connector rate limit", () => {
  it("answers 429 rate_limited with Retry-After once a gateway exceeds its rate, and other gateways are unaffected", async () => {
    const mk = async () => {
      const secret = generateSigningSecret();
      const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
      return { gateway, secret };
    };
    const fire = (g: { gateway: { id: string }; secret: string }, n: number) => {
      const body = JSON.stringify({ events: [{ eventId: `evt-${rid()}-${n}`, occurredAt: new Date().toISOString(), agentName: "a", toolName: "t", decision: "allowed" }] });
      return POST(
        new Request("http://x/api/v1/connector/events", { method: "POST", headers: { ...signedHeaders(g.secret, body), "x-warden-gateway": g.gateway.id, "content-type": "application/json" }, body }),
      );
    };
    const g = await mk();
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await fire(g, i);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses[0]).toBe(202);
    expect(limited).not.toBeNull();
    expect(limited!.headers.get("retry-after")).toBe("1");
    expect(await limited!.json()).toMatchObject({ error: { code: "rate_limited" } });
    // Only the accepted requests stored anything.
    expect(await db.toolCall.count({ where: { gatewayId: g.gateway.id } })).toBe(statuses.filter((s) => s === 202).length);
    expect((await fire(await mk(), 0)).status).toBe(202);
  });
});
