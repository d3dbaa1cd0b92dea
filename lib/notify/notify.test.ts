import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { unseal } from "@/lib/crypto";
import { makeUser, rid } from "@/test/factories";
import { notify } from "./index";
import { listWebhookDeliveries, listWebhookEndpoints, parseDeliveryQuery } from "./queries";
import { createWebhookAction, deleteWebhookAction, retryWebhookDeliveryAction, rotateWebhookSecretAction, testWebhookAction, updateWebhookAction } from "./actions";

// Literal public addresses: the SSRF guard passes them without DNS, and nothing here sends.
const PUBLIC_URL = "https://93.184.215.14/hooks/warden/secret-path-token";

async function admin() {
  return (await makeUser("admin")).actor;
}

async function createEndpoint(input: Record<string, unknown>) {
  const res = await execute(await admin(), createWebhookAction, { name: `hook-${rid()}`, url: PUBLIC_URL, ...input });
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return res.data;
}

const deliveriesOf = (endpointId: string) => db.webhookDelivery.findMany({ where: { endpointId }, orderBy: { createdAt: "asc" } });

describe("notify() fan-out", () => {
  beforeAll(async () => {
    // One database per file: start from no enabled endpoints so counts are exact.
    await db.webhookEndpoint.updateMany({ data: { enabled: false } });
  });
  afterAll(async () => {
    await db.webhookEndpoint.updateMany({ data: { enabled: false } });
  });

  it("queues one delivery per enabled endpoint subscribed to the event (empty = all), in the caller's transaction", async () => {
    const all = await createEndpoint({ events: [] });
    const containment = await createEndpoint({ events: ["containment.applied", "containment.released"] });
    const budgets = await createEndpoint({ events: ["budget.threshold"] });
    const disabled = await createEndpoint({ events: [], enabled: false });

    const count = await db.$transaction((tx) => notify(tx, "containment.applied", "Kill switch on agent x", { containmentId: "c-1", scope: "agent" }));
    expect(count).toBe(2);
    expect(await deliveriesOf(all.endpoint.id)).toEqual([
      expect.objectContaining({ event: "containment.applied", state: "pending", attempts: 0, payload: { containmentId: "c-1", scope: "agent", summary: "Kill switch on agent x" } }),
    ]);
    expect(await deliveriesOf(containment.endpoint.id)).toHaveLength(1);
    expect(await deliveriesOf(budgets.endpoint.id)).toHaveLength(0);
    expect(await deliveriesOf(disabled.endpoint.id)).toHaveLength(0);

    expect(await db.$transaction((tx) => notify(tx, "budget.threshold", "90 % of the daily budget", { percent: 90 }))).toBe(2);
    expect(await deliveriesOf(budgets.endpoint.id)).toHaveLength(1);
    expect(await deliveriesOf(containment.endpoint.id)).toHaveLength(1);

    // The test event never goes to "all events" endpoints: only where it is sent explicitly.
    expect(await db.$transaction((tx) => notify(tx, "webhook.test", "test", {}))).toBe(0);
  });

  it("rolls back with the caller's transaction", async () => {
    const ep = await createEndpoint({ events: [] });
    const summary = `rolled back ${rid()}`;
    await expect(
      db.$transaction(async (tx) => {
        expect(await notify(tx, "incident.opened", summary, { incidentId: "i-1" })).toBeGreaterThanOrEqual(1);
        throw new Error("the mutation failed");
      }),
    ).rejects.toThrow("the mutation failed");
    expect(await deliveriesOf(ep.endpoint.id)).toHaveLength(0);
    expect(await db.webhookDelivery.count({ where: { payload: { path: ["summary"], equals: summary } } })).toBe(0);
  });

  it("stores a redacted, JSON-safe payload", async () => {
    const ep = await createEndpoint({ events: ["tool_request.created"] });
    const at = new Date("2026-01-02T03:04:05.000Z");
    await db.$transaction((tx) =>
      notify(tx, "tool_request.created", "Request for tool y with key sk-ant-abcdefghijklmnopqrstuvwxyz0123", {
        apiToken: "plain-secret-value",
        note: "uses ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
        at,
        n: 12n,
        nested: { password: "hunter2", ok: true },
      }),
    );
    const [d] = await deliveriesOf(ep.endpoint.id);
    const text = JSON.stringify(d.payload);
    expect(text).not.toContain("plain-secret-value");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("ghp_abcdef");
    expect(text).not.toContain("sk-ant-abcdef");
    expect(d.payload).toMatchObject({ apiToken: "[REDACTED]", at: at.toISOString(), n: "12", nested: { password: "[REDACTED]", ok: true }, summary: expect.stringContaining("[REDACTED]") });
  });
});

describe("webhook endpoints: secrets, authorization and validation", () => {
  it("shows the signing secret once, stores it sealed, and keeps it (and the URL path) out of lists and audit", async () => {
    const created = await createEndpoint({ format: "slack" });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.endpoint).toMatchObject({ format: "slack", enabled: true, urlHost: "93.184.215.14", urlDisplay: "https://93.184.215.14/…" });
    expect(JSON.stringify(created.endpoint)).not.toContain("secret-path-token");

    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.endpoint.id } });
    expect(row.secretEnc).not.toContain(created.secret);
    expect(unseal(row.secretEnc)).toBe(created.secret);

    const listed = (await listWebhookEndpoints()).find((e) => e.id === created.endpoint.id)!;
    expect(listed).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));
    expect(JSON.stringify(listed)).not.toContain("secret-path-token");
    expect(listed).not.toHaveProperty("secretEnc");

    const rotated = await execute(await admin(), rotateWebhookSecretAction, { id: created.endpoint.id });
    expect(rotated.ok).toBe(true);
    const newSecret = rotated.ok ? rotated.data.secret : "";
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(created.secret);
    expect(unseal((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.endpoint.id } })).secretEnc)).toBe(newSecret);

    const audit = await db.auditEvent.findMany({ where: { targetId: created.endpoint.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["webhook.create", "webhook.rotate_secret"]);
    const auditText = JSON.stringify(audit.map((a) => [a.before, a.after]));
    for (const s of [created.secret.slice(6), newSecret.slice(6), "secret-path-token"]) expect(auditText).not.toContain(s);
  });

  it.each(["operator", "manager", "auditor"] as const)("a %s cannot create, change or test endpoints (forbidden, denial audited)", async (role) => {
    const { user, actor } = await makeUser(role);
    const name = `denied-${rid()}`;
    const res = await execute(actor, createWebhookAction, { name, url: PUBLIC_URL });
    expect(res).toMatchObject({ ok: false, status: 403, code: "forbidden" });
    expect(await db.webhookEndpoint.count({ where: { name } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "webhook.create", outcome: "denied", actorId: user.id, targetId: "notifications:manage" } })).toBe(1);

    const ep = await createEndpoint({});
    for (const [def, input] of [
      [updateWebhookAction, { id: ep.endpoint.id, enabled: false }],
      [rotateWebhookSecretAction, { id: ep.endpoint.id }],
      [deleteWebhookAction, { id: ep.endpoint.id }],
      [testWebhookAction, { id: ep.endpoint.id }],
    ] as const) {
      expect(await execute(actor, def as typeof testWebhookAction, input)).toMatchObject({ ok: false, code: "forbidden" });
    }
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.endpoint.id } })).toMatchObject({ enabled: true });
    expect(await db.auditEvent.count({ where: { outcome: "denied", actorId: user.id, action: { startsWith: "webhook." } } })).toBe(5);
  });

  it("a security lead may manage endpoints", async () => {
    const { actor } = await makeUser("security_lead");
    const res = await execute(actor, createWebhookAction, { name: `lead-${rid()}`, url: PUBLIC_URL });
    expect(res.ok).toBe(true);
  });

  it.each([
    ["https://10.0.0.7/hook", /private-network/],
    ["https://169.254.169.254/latest", /metadata/],
    ["https://user:pw@93.184.215.14/", /user name or password/],
    ["http://93.184.215.14/hook", /https/],
    ["not a url", /https:\/\/ URL/],
    ["ftp://93.184.215.14/", /https:\/\/ URL/],
  ])("refuses the URL %s with a field error, creating nothing", async (url, reason) => {
    const name = `bad-${rid()}`;
    const res = await execute(await admin(), createWebhookAction, { name, url });
    expect(res).toMatchObject({ ok: false, code: "invalid", status: 400 });
    if (!res.ok) expect(res.fieldErrors?.url?.join(" ")).toMatch(reason);
    expect(await db.webhookEndpoint.count({ where: { name } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "webhook.create", after: { path: ["name"], equals: name } } })).toBe(0);
  });

  it("validates names, events and formats, and refuses duplicate names", async () => {
    const actor = await admin();
    const bad = await execute(actor, createWebhookAction, { name: " ", url: PUBLIC_URL, format: "teams", events: ["nope"] });
    expect(bad).toMatchObject({ ok: false, code: "invalid" });
    if (!bad.ok) expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["events.0", "format", "name"]);
    // The test event is not subscribable.
    expect(await execute(actor, createWebhookAction, { name: `t-${rid()}`, url: PUBLIC_URL, events: ["webhook.test"] })).toMatchObject({ ok: false, code: "invalid" });

    const first = await createEndpoint({});
    const dup = await execute(actor, createWebhookAction, { name: first.endpoint.name, url: PUBLIC_URL });
    expect(dup).toMatchObject({ ok: false, code: "conflict", fieldErrors: { name: ["Already in use."] } });

    // Updates check the URL again and need something to change.
    const upd = await execute(actor, updateWebhookAction, { id: first.endpoint.id, url: "https://192.168.0.10/x" });
    expect(upd).toMatchObject({ ok: false, code: "invalid", fieldErrors: { url: [expect.stringMatching(/private-network/)] } });
    expect(await execute(actor, updateWebhookAction, { id: first.endpoint.id })).toMatchObject({ ok: false, code: "invalid" });
    expect(await execute(actor, updateWebhookAction, { id: "00000000-0000-4000-8000-000000000000", enabled: false })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("updates, tests only the chosen endpoint, retries only failed or dead deliveries, and deletes — each audited", async () => {
    const actor = await admin();
    const a = await createEndpoint({ events: [] });
    const b = await createEndpoint({ events: [] });

    const upd = await execute(actor, updateWebhookAction, { id: a.endpoint.id, events: ["incident.opened"], format: "slack", url: "https://8.8.8.8/new-hook" });
    expect(upd).toMatchObject({ ok: true, data: { events: ["incident.opened"], format: "slack", urlHost: "8.8.8.8" } });
    const updAudit = await db.auditEvent.findFirstOrThrow({ where: { action: "webhook.update", targetId: a.endpoint.id } });
    expect(updAudit.before).toMatchObject({ events: [], format: "standard", url: "https://93.184.215.14/…" });
    expect(updAudit.after).toMatchObject({ events: ["incident.opened"], format: "slack", url: "https://8.8.8.8/…" });

    const test = await execute(actor, testWebhookAction, { id: a.endpoint.id });
    expect(test.ok).toBe(true);
    expect(await deliveriesOf(a.endpoint.id)).toEqual([expect.objectContaining({ event: "webhook.test", state: "pending" })]);
    expect(await deliveriesOf(b.endpoint.id)).toHaveLength(0);
    expect(await db.auditEvent.count({ where: { action: "webhook.test", targetId: a.endpoint.id } })).toBe(1);

    // A pending delivery cannot be "retried"; a dead one can (once more, now).
    const [d] = await deliveriesOf(a.endpoint.id);
    expect(await execute(actor, retryWebhookDeliveryAction, { id: d.id })).toMatchObject({ ok: false, code: "conflict" });
    await db.webhookDelivery.update({ where: { id: d.id }, data: { state: "dead", attempts: 8, nextAttemptAt: new Date(Date.now() + 3_600_000) } });
    const retried = await execute(actor, retryWebhookDeliveryAction, { id: d.id });
    expect(retried).toMatchObject({ ok: true, data: { state: "failed", attempts: 8 } });
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: d.id } })).nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await db.auditEvent.count({ where: { action: "webhook.retry", targetId: d.id } })).toBe(1);

    // Disabled: no tests, no retries.
    expect(await execute(actor, updateWebhookAction, { id: a.endpoint.id, enabled: false })).toMatchObject({ ok: true, data: { enabled: false } });
    expect(await execute(actor, testWebhookAction, { id: a.endpoint.id })).toMatchObject({ ok: false, code: "conflict" });

    // The log lists newest first and filters by endpoint and state.
    const log = await listWebhookDeliveries(parseDeliveryQuery({ endpointId: a.endpoint.id }).query);
    expect(log.rows.map((r) => r.id)).toEqual([d.id]);
    expect(log.rows[0]).toMatchObject({ endpointName: a.endpoint.name, event: "webhook.test", summary: expect.stringContaining("Test notification") });
    expect((await listWebhookDeliveries(parseDeliveryQuery({ endpointId: a.endpoint.id, state: "delivered" }).query)).total).toBe(0);

    expect(await execute(actor, deleteWebhookAction, { id: a.endpoint.id })).toMatchObject({ ok: true });
    expect(await db.webhookEndpoint.count({ where: { id: a.endpoint.id } })).toBe(0);
    expect(await db.webhookDelivery.count({ where: { endpointId: a.endpoint.id } })).toBe(0);
    expect(await db.auditEvent.findFirstOrThrow({ where: { action: "webhook.delete", targetId: a.endpoint.id } })).toMatchObject({
      before: expect.objectContaining({ name: a.endpoint.name, deliveries: 1 }),
    });
    expect(await execute(actor, deleteWebhookAction, { id: a.endpoint.id })).toMatchObject({ ok: false, code: "conflict" });
  });
});
