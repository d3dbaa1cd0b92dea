import { describe, expect, it } from "vitest";
import { db, isTransientTransactionError, TRANSACTION_ATTEMPTS } from "@/lib/db";
import { makeUser, rid } from "@/test/factories";
import { seal } from "@/lib/crypto";
import { generateSigningSecret } from "@/lib/connector/signature";
import { createIdentityRule } from "@/lib/identity-policy/service";

/** Resolves once `n` callers have arrived (each caller only once). */
function barrier(n: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return () => {
    if (++arrived >= n) open();
    return opened;
  };
}

describe("interactive transactions Postgres aborts as deadlocks are run again", () => {
  it("two transactions locking two rows in opposite orders both commit; the one Postgres chose as the victim ran twice", { timeout: 30_000 }, async () => {
    const [a, b] = await Promise.all([db.team.create({ data: { name: `lock-a-${rid()}` } }), db.team.create({ data: { name: `lock-b-${rid()}` } })]);
    const bothHoldOne = barrier(2);
    const runs = { first: 0, second: 0 };
    const lockBoth = (who: "first" | "second", rows: [string, string]) =>
      db.$transaction(async (tx) => {
        runs[who]++;
        await tx.team.update({ where: { id: rows[0] }, data: { description: `${who} ${runs[who]}` } });
        // Only the first attempt waits for the other: both then hold one row and want the other's.
        if (runs[who] === 1) await bothHoldOne();
        await tx.team.update({ where: { id: rows[1] }, data: { description: `${who} ${runs[who]}` } });
        return runs[who];
      });
    const results = await Promise.allSettled([lockBoth("first", [a.id, b.id]), lockBoth("second", [b.id, a.id])]);
    expect(
      results.map((r) => r.status),
      JSON.stringify(results.map((r) => (r.status === "rejected" ? String((r.reason as Error).message).slice(0, 200) : r.value))),
    ).toEqual(["fulfilled", "fulfilled"]);
    // Postgres aborted exactly one of them (the deadlock was real), and that one ran again.
    expect(runs.first + runs.second).toBe(3);
    // Whichever committed last wrote both rows: nothing of the aborted attempt survived.
    const rows = await db.team.findMany({ where: { id: { in: [a.id, b.id] } }, select: { description: true } });
    expect(new Set(rows.map((r) => r.description)).size).toBe(1);
    expect(rows[0].description).toMatch(/^(first 1|second 1|first 2|second 2)$/);
  });

  it("other failures are not retried: a unique violation is thrown after one run", async () => {
    const name = `dup-${rid()}`;
    await db.team.create({ data: { name } });
    let runs = 0;
    await expect(
      db.$transaction(async (tx) => {
        runs++;
        await tx.team.create({ data: { name } });
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    expect(runs).toBe(1);
  });

  it("gives up after its attempts and throws the deadlock", async () => {
    let runs = 0;
    const deadlock = Object.assign(new Error("Raw query failed. Code: `40P01`"), { code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "40P01", kind: "postgres" } } } });
    await expect(
      db.$transaction(async () => {
        runs++;
        throw deadlock;
      }),
    ).rejects.toBe(deadlock);
    expect(runs).toBe(TRANSACTION_ATTEMPTS);
  });

  it("knows a deadlock and a serialization failure by code in each shape Prisma reports them, and nothing else", () => {
    expect(isTransientTransactionError({ code: "P2034" })).toBe(true);
    expect(isTransientTransactionError({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "40P01" } } } })).toBe(true);
    expect(isTransientTransactionError({ name: "DriverAdapterError", cause: { kind: "postgres", code: "40001", originalCode: "40001" } })).toBe(true);
    expect(isTransientTransactionError({ code: "P2002" })).toBe(false);
    expect(isTransientTransactionError({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "23505" } } } })).toBe(false);
    expect(isTransientTransactionError(new Error("deadlock detected"))).toBe(false); // never by message
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isTransientTransactionError(loop)).toBe(false);
    expect(isTransientTransactionError(null)).toBe(false);
  });

  it("concurrent identity rules for agents on different gateways all succeed, each audited once and each gateway told", { timeout: 60_000 }, async () => {
    const { actor } = await makeUser("security_lead");
    const N = 8;
    const agents = [];
    for (let i = 0; i < N; i++) {
      const gw = await db.gateway.create({
        data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(generateSigningSecret()), lastSeenAt: new Date() },
      });
      agents.push(await db.agent.create({ data: { name: `dl-${rid()}`, externalId: `dl-${rid()}`, owner: "o", purpose: "p", gatewayId: gw.id } }));
    }
    const auditsBefore = await db.auditEvent.count({ where: { action: "identity_rule.create" } });
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled(
        agents.map((a) => createIdentityRule(actor, { subject: "anyone", agentId: a.id, toolName: `t_${round}_${rid()}`, effect: "deny", reason: "deadlock probe" })),
      );
      const failed = results.filter((r) => r.status === "rejected").map((r) => String(((r as PromiseRejectedResult).reason as Error).message).slice(0, 300));
      expect(failed, failed.join("\n")).toEqual([]);
    }
    expect(await db.auditEvent.count({ where: { action: "identity_rule.create" } })).toBe(auditsBefore + 3 * N);
    expect(await db.identityRule.count({ where: { agentId: { in: agents.map((a) => a.id) } } })).toBe(3 * N);
    // The trigger's refresh reached each rule's gateway (a seen gateway gets a pending refresh command).
    const told = await db.gatewayCommand.findMany({ where: { gatewayId: { in: agents.map((a) => a.gatewayId!) }, type: "policy_refresh", state: "pending" }, select: { gatewayId: true } });
    expect(new Set(told.map((c) => c.gatewayId)).size).toBe(N);
  });
});
