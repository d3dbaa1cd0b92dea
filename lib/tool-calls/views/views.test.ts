import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/tool-calls/views/route";
import { DELETE as deleteRoute, PATCH as patchRoute } from "@/app/api/v1/tool-calls/views/[id]/route";
import { createViewAction, deleteViewAction, updateViewAction } from "./actions";
import { MAX_VIEWS_PER_USER, viewQueryString } from "./schema";

// The API routes resolve the caller through getActor(); each request here names its actor.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const as = (actor: Actor | null) => {
  session.actor = actor;
};
const json = (method: string, body: unknown) =>
  new Request("http://warden.test/api/v1/tool-calls/views", { method, headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const FILTERS = { range: "7d", decision: "blocked", tool: "exec" };

describe("saved explorer views", () => {
  it("round-trip through the API: save, list, rename, delete, each audited with the change", async () => {
    const { actor, user } = await makeUser("manager");
    as(actor);
    const created = await createRoute(json("POST", { name: "  Blocked exec  ", filters: FILTERS }));
    expect(created.status).toBe(201);
    const { data } = await created.json();
    expect(data).toMatchObject({ name: "Blocked exec", filters: FILTERS });
    expect(viewQueryString(data.filters)).toBe("range=7d&tool=exec&decision=blocked");

    const listed = await (await listRoute()).json();
    expect(listed.data.map((v: { id: string }) => v.id)).toEqual([data.id]);

    const renamed = await patchRoute(json("PATCH", { name: "Exec blocks" }), ctx(data.id));
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).data).toMatchObject({ id: data.id, name: "Exec blocks", filters: FILTERS });

    expect((await deleteRoute(json("DELETE", ""), ctx(data.id))).status).toBe(200);
    expect(await db.toolCallView.count({ where: { userId: user.id } })).toBe(0);
    const audit = await db.auditEvent.findMany({ where: { targetId: data.id }, orderBy: { id: "asc" }, select: { action: true, outcome: true, actorLabel: true, before: true, after: true } });
    expect(audit.map((a) => a.action)).toEqual(["tool_call_view.create", "tool_call_view.update", "tool_call_view.delete"]);
    expect(audit.every((a) => a.actorLabel === actor.label && a.outcome === "success")).toBe(true);
    expect(audit[1]).toMatchObject({ before: { name: "Blocked exec" }, after: { name: "Exec blocks" } });
  });

  it("refuses bad input with field errors and stores nothing", async () => {
    const { actor, user } = await makeUser("operator");
    as(actor);
    const bad: [unknown, string][] = [
      [{ name: "", filters: {} }, "name"],
      [{ name: "x".repeat(81), filters: {} }, "name"],
      [{ name: "tab\there", filters: {} }, "name"],
      [{ name: "ok", filters: { decision: "maybe" } }, "filters.decision"],
      [{ name: "ok", filters: { gateway: "not-a-uuid" } }, "filters.gateway"],
      [{ name: "ok", filters: { range: "1y" } }, "filters.range"],
      [{ name: "ok", filters: { secret: "x" } }, "filters"],
      [{ name: "ok", filters: { from: "2026-12-07T10:00:00Z", to: "2026-12-01T10:00:00Z" } }, "filters.to"],
      [{ name: "ok", filters: "range=1h" }, "filters"],
      [{ name: 42, filters: {} }, "name"],
    ];
    for (const [body, field] of bad) {
      const res = await createRoute(json("POST", body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys((await res.json()).error.fieldErrors ?? {}), JSON.stringify(body)).toContain(field);
    }
    expect((await createRoute(json("POST", "{not json"))).status).toBe(400);
    expect((await patchRoute(json("PATCH", { name: "x" }), ctx("nope"))).status).toBe(400);
    expect((await patchRoute(json("PATCH", {}), ctx(crypto.randomUUID()))).status).toBe(400);
    expect(await db.toolCallView.count({ where: { userId: user.id } })).toBe(0);
  });

  it("another user can neither list, rename nor delete your views", async () => {
    const { actor: owner, user } = await makeUser("security_lead");
    const { actor: other } = await makeUser("admin");
    const res = await execute(owner, createViewAction, { name: "mine", filters: FILTERS });
    if (!res.ok) throw new Error(res.error);
    as(other);
    expect((await (await listRoute()).json()).data).toEqual([]);
    expect((await patchRoute(json("PATCH", { name: "stolen" }), ctx(res.data.id))).status).toBe(404);
    expect((await deleteRoute(json("DELETE", ""), ctx(res.data.id))).status).toBe(404);
    const still = await db.toolCallView.findUniqueOrThrow({ where: { id: res.data.id } });
    expect(still).toMatchObject({ userId: user.id, name: "mine" });
    // Unauthenticated: 401, nothing stored.
    as(null);
    expect((await createRoute(json("POST", { name: "anon", filters: {} }))).status).toBe(401);
    expect((await listRoute()).status).toBe(401);
  });

  it("keeps names unique per user ignoring case, also under concurrent saves; other users may reuse a name", async () => {
    const { actor, user } = await makeUser("auditor");
    const name = `Blocked ${rid()}`;
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => execute(actor, createViewAction, { name: i % 2 ? name.toUpperCase() : name, filters: FILTERS })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok)) expect(r).toMatchObject({ ok: false, status: 409, fieldErrors: { name: [expect.any(String)] } });
    expect(await db.toolCallView.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "tool_call_view.create", actorLabel: actor.label } })).toBe(1);

    // Renaming onto a taken name is the same 409.
    const second = await execute(actor, createViewAction, { name: "second", filters: {} });
    if (!second.ok) throw new Error(second.error);
    expect(await execute(actor, updateViewAction, { id: second.data.id, name: ` ${name.toLowerCase()} ` })).toMatchObject({ ok: false, status: 409, fieldErrors: { name: [expect.any(String)] } });

    const { actor: other } = await makeUser("auditor");
    expect(await execute(other, createViewAction, { name, filters: {} })).toMatchObject({ ok: true });
  });

  it("caps views per user, also when saves race at the cap", async () => {
    const { actor, user } = await makeUser("operator");
    await db.toolCallView.createMany({ data: Array.from({ length: MAX_VIEWS_PER_USER - 2 }, (_, i) => ({ userId: user.id, name: `v${i}`, nameKey: `v${i}`, filters: {} })) });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => execute(actor, createViewAction, { name: `race ${i}`, filters: {} })));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    for (const r of results.filter((r) => !r.ok)) expect(r).toMatchObject({ ok: false, status: 409, fieldErrors: { name: [expect.stringContaining(String(MAX_VIEWS_PER_USER))] } });
    expect(await db.toolCallView.count({ where: { userId: user.id } })).toBe(MAX_VIEWS_PER_USER);
  });

  it("deletes once under concurrency; views need a user (not a bare system actor)", async () => {
    const { actor } = await makeUser("manager");
    const res = await execute(actor, createViewAction, { name: "gone soon", filters: {} });
    if (!res.ok) throw new Error(res.error);
    const results = await Promise.all(Array.from({ length: 4 }, () => execute(actor, deleteViewAction, { id: res.data.id })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.status === 404)).toHaveLength(3);
    expect(await db.auditEvent.count({ where: { action: "tool_call_view.delete", targetId: res.data.id } })).toBe(1);
    expect(await execute({ ...actor, userId: undefined }, createViewAction, { name: "orphan", filters: {} })).toMatchObject({ ok: false, status: 403 });
  });
});
