import pg from "pg";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAudit, recordAuditStandalone } from "./record";
import { verifyAuditChain } from "./verify";
import { canonicalJson } from "@/lib/signing/canonical";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import type { AuditAction } from "@/lib/audit/actions";

async function append(n: number) {
  for (let i = 0; i < n; i++) {
    await db.$transaction((tx) =>
      recordAudit(tx, SYSTEM_ACTOR, { action: "test.event" as AuditAction, targetType: "thing", targetId: String(i), after: { i, nested: { b: 2, a: 1 }, password: "hunter2-secret" } }),
    );
  }
}

async function superuser<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe("audit trail", () => {
  it("canonical JSON sorts keys at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: new Date("2026-01-01T00:00:00Z") } })).toBe('{"a":{"c":"2026-01-01T00:00:00.000Z","d":[{"y":2,"z":1}]},"b":1}');
  });

  it("chains every event to the previous one and verifies", async () => {
    await append(5);
    const rows = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(rows.length).toBe(5);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prevHash).toBe(rows[i - 1].hash);
    expect(await verifyAuditChain()).toEqual({ ok: true, checked: 5, firstBrokenId: null });
  });

  it("redacts secrets in before/after before they are stored", async () => {
    await recordAuditStandalone(SYSTEM_ACTOR, { action: "test.secret" as AuditAction, after: { token: "wdn_abcdefghijklmnopqrstuvwxyz123456", note: "key sk-ant-api03-abcdefghijklmnopqrstuvwxyz" } });
    const row = await db.auditEvent.findFirst({ where: { action: "test.secret" } });
    expect(JSON.stringify(row?.after)).not.toContain("wdn_abc");
    expect(JSON.stringify(row?.after)).not.toContain("sk-ant-api03");
    expect(row?.after).toMatchObject({ token: "[REDACTED]" });
  });

  it("the database refuses UPDATE, DELETE and TRUNCATE", async () => {
    await append(1);
    await superuser(async (c) => {
      await expect(c.query("update audit_events set action = 'x'")).rejects.toThrow(/append-only/);
      await expect(c.query("delete from audit_events")).rejects.toThrow(/append-only/);
      await expect(c.query("truncate audit_events")).rejects.toThrow(/append-only/);
    });
  });

  it("verification names the first row changed behind the trigger's back", async () => {
    await append(6);
    const rows = await db.auditEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } });
    const victim = rows[3].id;
    await superuser(async (c) => {
      // A superuser can bypass triggers; the hash chain still catches it.
      await c.query("set session_replication_role = replica");
      await c.query("update audit_events set actor_label = 'someone-else' where id = $1", [victim.toString()]);
    });
    const res = await verifyAuditChain({ batchSize: 2 }); // small pages: the walk crosses page boundaries
    expect(res.ok).toBe(false);
    expect(res.firstBrokenId).toBe(victim.toString());
    expect(res.checked).toBe(3);
  });
});
