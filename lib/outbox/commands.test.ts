import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { rid } from "@/test/factories";
import { verifyAuditChain } from "@/lib/audit/verify";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { GET, POST } from "@/app/api/v1/connector/commands/route";
import { POST as ACK } from "@/app/api/v1/connector/commands/[id]/ack/route";

async function gateway() {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { secret, gw };
}
const poll = (gwId: string, secret: string, wait = 0) => GET(new Request(`http://w/api/v1/connector/commands?wait=${wait}`, { headers: { ...signedHeaders(secret, ""), "x-warden-gateway": gwId } }));
const pollWithAcks = (gwId: string, secret: string, body: unknown, wait = 0) => {
  const text = JSON.stringify(body);
  return POST(
    new Request(`http://w/api/v1/connector/commands?wait=${wait}`, {
      method: "POST",
      headers: { ...signedHeaders(secret, text), "x-warden-gateway": gwId, "content-type": "application/json" },
      body: text,
    }),
  );
};
const ack = (gwId: string, secret: string, id: string, body: object) => {
  const text = JSON.stringify(body);
  return ACK(new Request(`http://w/api/v1/connector/commands/${id}/ack`, { method: "POST", headers: { ...signedHeaders(secret, text), "x-warden-gateway": gwId }, body: text }), {
    params: Promise.resolve({ id }),
  });
};

describe("connector commands", () => {
  it("long-polls the persisted outbox, redelivers unacknowledged commands, and records acks", async () => {
    const { secret, gw } = await gateway();
    expect(await (await poll(gw.id, secret)).json()).toEqual({ commands: [] });

    const action = await db.containmentAction.create({ data: { scope: "tool", target: "exec", action: "deny_tool", reason: "test containment" } });
    const delivery = await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw.id } });
    const started = Date.now();
    const first = await (await poll(gw.id, secret, 5)).json();
    expect(Date.now() - started).toBeLessThan(3000); // answered as soon as it had a command
    expect(first.commands).toEqual([expect.objectContaining({ id: delivery.id, kind: "apply", scope: "tool", action: "deny_tool", target: "exec", attempt: 1 })]);
    expect((await db.gatewayCommand.findUniqueOrThrow({ where: { id: delivery.id } })).state).toBe("delivered");
    // Not acknowledged: not redelivered before its backoff…
    expect((await (await poll(gw.id, secret)).json()).commands).toEqual([]);
    // …but once due again, it is.
    await db.gatewayCommand.update({ where: { id: delivery.id }, data: { nextAttemptAt: new Date(Date.now() - 1) } });
    expect((await (await poll(gw.id, secret)).json()).commands[0]).toMatchObject({ id: delivery.id, attempt: 2 });

    const res = await ack(gw.id, secret, delivery.id, { outcome: "applied", detail: "tools.deny patched" });
    expect(res.status).toBe(200);
    expect(await db.gatewayCommand.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ state: "applied", ackedAt: expect.any(Date) });
    expect(await db.auditEvent.count({ where: { action: "gateway.command_ack", targetId: delivery.id, actorType: "gateway" } })).toBe(1);
    expect((await (await poll(gw.id, secret)).json()).commands).toEqual([]);
  });

  it("a gateway cannot see or acknowledge another gateway's commands", async () => {
    const a = await gateway();
    const b = await gateway();
    const action = await db.containmentAction.create({ data: { scope: "fleet", target: "*", action: "cron_off", reason: "test" } });
    const d = await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: a.gw.id } });
    expect((await (await poll(b.gw.id, b.secret)).json()).commands).toEqual([]);
    expect((await ack(b.gw.id, b.secret, d.id, { outcome: "applied" })).status).toBe(404);
    expect((await ack(a.gw.id, a.secret, d.id, { outcome: "maybe" })).status).toBe(400);
    expect((await poll(a.gw.id, a.secret, 99)).status).toBe(400);
  });

  it("a parked poll picks up a command committed by another process (no in-process wake) at its next outbox check", async () => {
    const { secret, gw } = await gateway();
    const action = await db.containmentAction.create({ data: { scope: "fleet", target: "*", action: "block_all", reason: "other replica" } });
    const started = Date.now();
    const pending = poll(gw.id, secret, 20).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 400)); // the poll is parked
    // Written straight to the outbox, as another Warden process would: nothing wakes this one.
    const d = await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw.id } });
    const body = await pending;
    expect(body.commands).toEqual([expect.objectContaining({ id: d.id, scope: "fleet", action: "block_all" })]);
    expect(Date.now() - started).toBeLessThan(6000); // one 2 s outbox check, not the 20 s wait
  });

  it("acks arriving together commit in groups: each is applied and audited once, the chain verifies, and a bad ack fails alone", async () => {
    const gws = await Promise.all(Array.from({ length: 40 }, () => gateway()));
    const action = await db.containmentAction.create({ data: { scope: "fleet", target: "*", action: "block_all", reason: "group ack" } });
    const deliveries = await Promise.all(gws.map(({ gw }) => db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw.id } })));
    const auditBefore = await db.auditEvent.count();
    // All at once, with one gateway acknowledging another's command in the middle of the burst.
    const statuses = await Promise.all([
      ...gws.slice(0, 20).map(({ gw, secret }, i) => ack(gw.id, secret, deliveries[i].id, { outcome: "applied", detail: `gw ${i}` }).then((r) => r.status)),
      ack(gws[0].gw.id, gws[0].secret, deliveries[39].id, { outcome: "applied" }).then((r) => r.status),
      ...gws
        .slice(20)
        .map(({ gw, secret }, i) => ack(gw.id, secret, deliveries[20 + i].id, { outcome: i === 5 ? "failed" : "applied", detail: i === 5 ? "plugin missing" : undefined }).then((r) => r.status)),
    ]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses[20]).toBe(404);
    const rows = await db.gatewayCommand.findMany({ where: { actionId: action.id } });
    expect(rows.filter((r) => r.state === "applied")).toHaveLength(39);
    expect(rows.find((r) => r.id === deliveries[25].id)).toMatchObject({ state: "failed", error: "plugin missing" });
    expect(rows.every((r) => r.ackedAt)).toBe(true);
    const acks = await db.auditEvent.findMany({ where: { action: "gateway.command_ack", targetId: { in: deliveries.map((d) => d.id) } } });
    expect(acks).toHaveLength(40);
    expect(new Set(acks.map((a) => a.targetId)).size).toBe(40);
    expect(acks.every((a) => a.actorType === "gateway")).toBe(true);
    // Grouped: acks committed together share their audit timestamp.
    expect(new Set(acks.map((a) => a.createdAt.getTime())).size).toBeLessThan(40);
    expect(await db.auditEvent.count()).toBe(auditBefore + 40);
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it("POST acknowledges the previous poll's commands and polls again in one request; a repeated ack changes nothing", async () => {
    const { secret, gw } = await gateway();
    const other = await gateway();
    const action = await db.containmentAction.create({ data: { scope: "fleet", target: "*", action: "block_all", reason: "piggy-backed acks" } });
    const [d1, d2] = await Promise.all([0, 1].map(() => db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw.id } })));
    const foreign = await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: other.gw.id } });

    const first = await pollWithAcks(gw.id, secret, {});
    expect(first.status).toBe(200);
    const body1 = await first.json();
    expect(body1.acks).toEqual([]);
    expect(body1.commands.map((c: { id: string }) => c.id).sort()).toEqual([d1.id, d2.id].sort());

    const audits = () => db.auditEvent.count({ where: { action: "gateway.command_ack", targetId: { in: [d1.id, d2.id] } } });
    const second = await pollWithAcks(gw.id, secret, {
      acks: [
        { id: d1.id, outcome: "applied" },
        { id: d2.id, outcome: "failed", detail: "no such tool" },
        { id: foreign.id, outcome: "applied" },
      ],
    });
    expect(second.status).toBe(200);
    const body2 = await second.json();
    expect(body2.commands).toEqual([]); // both acknowledged: nothing to redeliver
    expect(body2.acks).toEqual([
      { id: d1.id, state: "applied" },
      { id: d2.id, state: "failed" },
      { id: foreign.id, error: { code: "not_found", message: expect.any(String) } },
    ]);
    expect((await db.gatewayCommand.findUniqueOrThrow({ where: { id: d2.id } })).error).toBe("no such tool");
    expect((await db.gatewayCommand.findUniqueOrThrow({ where: { id: foreign.id } })).state).toBe("pending");
    expect(await audits()).toBe(2);
    // A gateway reporting that it could not apply a command is a failure in the audit trail, not a success.
    const outcomes = await db.auditEvent.findMany({ where: { action: "gateway.command_ack", targetId: { in: [d1.id, d2.id] } }, select: { targetId: true, outcome: true } });
    expect(Object.fromEntries(outcomes.map((o) => [o.targetId, o.outcome]))).toEqual({ [d1.id]: "success", [d2.id]: "failure" });

    // Resent after a lost answer: same outcome, no second audit row.
    const again = await (await pollWithAcks(gw.id, secret, { acks: [{ id: d1.id, outcome: "applied" }] })).json();
    expect(again.acks).toEqual([{ id: d1.id, state: "applied" }]);
    expect(await audits()).toBe(2);

    const bad = await pollWithAcks(gw.id, secret, { acks: [{ id: "nope", outcome: "maybe" }] });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fieldErrors).sort()).toEqual(["acks.0.id", "acks.0.outcome"]);
  });

  it("two polls of the same gateway in the same claim group: one gets the command, and a replayed request is refused", async () => {
    const { secret, gw } = await gateway();
    const action = await db.containmentAction.create({ data: { scope: "fleet", target: "*", action: "cron_off", reason: "same group" } });
    const d = await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw.id } });
    const [a, b] = await Promise.all([poll(gw.id, secret), poll(gw.id, secret)].map(async (r) => (await (await r).json()).commands));
    expect([...a, ...b].map((c: { id: string }) => c.id)).toEqual([d.id]);
    // The very same signed request twice at once: remembered together, only one is accepted.
    const headers = { ...signedHeaders(secret, ""), "x-warden-gateway": gw.id };
    const same = () => GET(new Request("http://w/api/v1/connector/commands?wait=0", { headers }));
    const statuses = (await Promise.all([same(), same(), same()])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
  });
});
