import pg from "pg";
import { expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAuditStandalone } from "./record";
import { verifyAuditChain } from "./verify";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import type { AuditAction } from "@/lib/audit/actions";

// Its own file, so its own database: the chain starts intact here.
it("verification names the row after one deleted behind the trigger's back", async () => {
  for (let i = 0; i < 5; i++) await recordAuditStandalone(SYSTEM_ACTOR, { action: "test.event" as AuditAction, targetId: String(i) });
  expect((await verifyAuditChain()).ok).toBe(true);
  const rows = await db.auditEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } });
  const c = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
  await c.connect();
  await c.query("set session_replication_role = replica");
  await c.query("delete from audit_events where id = $1", [rows[2].id.toString()]);
  await c.end();
  const res = await verifyAuditChain();
  expect(res).toMatchObject({ ok: false, firstBrokenId: rows[3].id.toString(), checked: 2 });
});
