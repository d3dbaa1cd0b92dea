import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "./signature";
import { GET } from "@/app/api/v1/connector/commands/route";
import { POST as ACK } from "@/app/api/v1/connector/commands/[id]/ack/route";

async function gateway() {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { secret, gw };
}
const poll = (gwId: string, secret: string, wait = 0) => GET(new Request(`http://w/api/v1/connector/commands?wait=${wait}`, { headers: { ...signedHeaders(secret, ""), "x-warden-gateway": gwId } }));
const ack = (gwId: string, secret: string, id: string, body: object) => {
  const text = JSON.stringify(body);
  return ACK(new Request(`http://w/api/v1/connector/commands/${id}/ack`, { method: "POST", headers: { ...signedHeaders(secret, text), "x-warden-gateway": gwId }, body: text }), { params: Promise.resolve({ id }) });
};

describe("connector commands", () => {
  it("long-polls the persisted outbox, redelivers unacknowledged commands, and records acks", async () => {
    const { secret, gw } = await gateway();
    expect(await (await poll(gw.id, secret)).json()).toEqual({ commands: [] });

    const action = await db.containmentAction.create({ data: { scope: "tool", target: "exec", action: "deny_tool", reason: "test containment" } });
    const delivery = await db.containmentDelivery.create({ data: { actionId: action.id, gatewayId: gw.id } });
    const started = Date.now();
    const first = await (await poll(gw.id, secret, 5)).json();
    expect(Date.now() - started).toBeLessThan(3000); // answered as soon as it had a command
    expect(first.commands).toEqual([expect.objectContaining({ id: delivery.id, kind: "apply", scope: "tool", action: "deny_tool", target: "exec", attempt: 1 })]);
    expect((await db.containmentDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).state).toBe("delivered");
    // Not acknowledged: not redelivered before its backoff…
    expect((await (await poll(gw.id, secret)).json()).commands).toEqual([]);
    // …but once due again, it is.
    await db.containmentDelivery.update({ where: { id: delivery.id }, data: { nextAttemptAt: new Date(Date.now() - 1) } });
    expect((await (await poll(gw.id, secret)).json()).commands[0]).toMatchObject({ id: delivery.id, attempt: 2 });

    const res = await ack(gw.id, secret, delivery.id, { outcome: "applied", detail: "tools.deny patched" });
    expect(res.status).toBe(200);
    expect(await db.containmentDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ state: "applied", ackedAt: expect.any(Date) });
    expect(await db.auditEvent.count({ where: { action: "gateway.command_ack", targetId: delivery.id, actorType: "gateway" } })).toBe(1);
    expect((await (await poll(gw.id, secret)).json()).commands).toEqual([]);
  });

  it("a gateway cannot see or acknowledge another gateway's commands", async () => {
    const a = await gateway();
    const b = await gateway();
    const action = await db.containmentAction.create({ data: { scope: "fleet", target: "*", action: "cron_off", reason: "test" } });
    const d = await db.containmentDelivery.create({ data: { actionId: action.id, gatewayId: a.gw.id } });
    expect((await (await poll(b.gw.id, b.secret)).json()).commands).toEqual([]);
    expect((await ack(b.gw.id, b.secret, d.id, { outcome: "applied" })).status).toBe(404);
    expect((await ack(a.gw.id, a.secret, d.id, { outcome: "maybe" })).status).toBe(400);
    expect((await poll(a.gw.id, a.secret, 99)).status).toBe(400);
  });
});
