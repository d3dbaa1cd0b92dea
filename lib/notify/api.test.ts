import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import type { RoleName } from "@/lib/auth/roles";
import { makeUser, rid } from "@/test/factories";
import { GET as LIST, POST as CREATE } from "@/app/api/v1/webhooks/route";
import { DELETE, PATCH } from "@/app/api/v1/webhooks/[id]/route";
import { POST as TEST } from "@/app/api/v1/webhooks/[id]/test/route";
import { POST as ROTATE } from "@/app/api/v1/webhooks/[id]/rotate-secret/route";
import { GET as DELIVERIES } from "@/app/api/v1/webhooks/deliveries/route";
import { POST as RETRY } from "@/app/api/v1/webhooks/deliveries/[id]/retry/route";

// The API routes resolve the caller through getActor(); tests swap in an actor of a given role.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
const as = async (role: RoleName) => {
  const { user, actor } = await makeUser(role);
  session.actor = actor;
  return user;
};

const URL_BASE = "http://warden.test/api/v1/webhooks";
const json = (method: string, body: unknown, url = URL_BASE) => new Request(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const TARGET = "https://93.184.215.14/services/T000/B000/very-secret-path";

describe("/api/v1/webhooks", () => {
  it("creates (secret once), lists without secrets or URL paths, updates, tests, rotates and deletes", async () => {
    await as("admin");
    const name = `api-${rid()}`;
    const created = await CREATE(json("POST", { name, url: TARGET, format: "slack", events: ["incident.opened"] }));
    expect(created.status).toBe(201);
    const { data } = await created.json();
    expect(data.secret).toMatch(/^whsec_/);
    expect(data.endpoint).toMatchObject({ name, format: "slack", events: ["incident.opened"], urlHost: "93.184.215.14", enabled: true });
    const id = data.endpoint.id as string;

    const list = await LIST();
    expect(list.status).toBe(200);
    const listText = await list.text();
    expect(listText).toContain(name);
    expect(listText).not.toContain(data.secret.slice(6));
    expect(listText).not.toContain("very-secret-path");
    expect(listText).not.toContain("secretEnc");

    const patched = await PATCH(json("PATCH", { enabled: false, events: [] }), ctx(id));
    expect(patched.status).toBe(200);
    expect((await patched.json()).data).toMatchObject({ enabled: false, events: [] });
    expect((await TEST(json("POST", {}), ctx(id))).status).toBe(409); // disabled
    await PATCH(json("PATCH", { enabled: true }), ctx(id));
    const tested = await TEST(json("POST", {}), ctx(id));
    expect(tested.status).toBe(202);
    const { deliveryId } = (await tested.json()).data;

    const rotated = await ROTATE(json("POST", {}), ctx(id));
    const newSecret = (await rotated.json()).data.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(data.secret);

    const log = await DELIVERIES(new Request(`${URL_BASE}/deliveries?endpointId=${id}&state=pending`));
    expect(log.status).toBe(200);
    const page = await log.json();
    expect(page).toMatchObject({ total: 1, page: 1, data: [expect.objectContaining({ id: deliveryId, event: "webhook.test", state: "pending", endpointName: name })] });
    expect(JSON.stringify(page)).not.toContain(newSecret.slice(6));
    expect((await DELIVERIES(new Request(`${URL_BASE}/deliveries?state=lost`))).status).toBe(400);
    expect((await RETRY(json("POST", {}), ctx(deliveryId))).status).toBe(409); // pending, not failed

    const bad = await PATCH(json("PATCH", { url: "https://169.254.169.254/" }), ctx(id));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fieldErrors.url[0]).toMatch(/link-local/);

    expect((await DELETE(json("DELETE", {}), ctx(id))).status).toBe(200);
    expect(await db.webhookEndpoint.count({ where: { id } })).toBe(0);
    expect((await DELETE(json("DELETE", {}), ctx(id))).status).toBe(409); // already deleted: a conflict (never existed: 404)
  });

  it("refuses other roles (403, audited) and anonymous callers (401)", async () => {
    const user = await as("operator");
    expect((await LIST()).status).toBe(403);
    expect((await DELIVERIES(new Request(`${URL_BASE}/deliveries`))).status).toBe(403);
    const name = `op-${rid()}`;
    expect((await CREATE(json("POST", { name, url: TARGET }))).status).toBe(403);
    expect(await db.webhookEndpoint.count({ where: { name } })).toBe(0);
    expect(await db.auditEvent.count({ where: { actorId: user.id, outcome: "denied", action: { in: ["read:webhooks", "read:webhook_deliveries", "webhook.create"] } } })).toBe(3);

    session.actor = null;
    expect((await LIST()).status).toBe(401);
    expect((await CREATE(json("POST", { name, url: TARGET }))).status).toBe(401);
  });
});
