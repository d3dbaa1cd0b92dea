import { expect } from "vitest";
import type { ActionResult } from "@/lib/action";

/**
 * Fire `n` identical calls at once and check the transition happened exactly once: one success,
 * every other call a 409 conflict, exactly one success audit row `action` on `targetId`.
 */
export async function expectExactlyOnce<T>(n: number, call: () => Promise<ActionResult<T>>, audit: { action: string; targetId: string }) {
  const { db } = await import("@/lib/db");
  const results = await Promise.all(Array.from({ length: n }, () => call()));
  const ok = results.filter((r) => r.ok);
  const failed = results.filter((r): r is Extract<ActionResult<T>, { ok: false }> => !r.ok);
  expect(ok, JSON.stringify(failed.filter((f) => f.status !== 409).slice(0, 3))).toHaveLength(1);
  expect(failed.map((f) => `${f.status} ${f.code}`)).toEqual(Array(n - 1).fill("409 conflict"));
  for (const f of failed) expect(f.error.length).toBeGreaterThan(5);
  expect(await db.auditEvent.count({ where: { action: audit.action, targetId: audit.targetId, outcome: "success" } })).toBe(1);
  return ok[0] as Extract<ActionResult<T>, { ok: true }>;
}
