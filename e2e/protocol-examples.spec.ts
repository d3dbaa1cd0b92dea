/**
 * Every request example of docs/connector-protocol.md, sent exactly as written through the real
 * signed endpoints, then every page that shows that data, rendered in a browser: HTTP 200 and no
 * error page. Then the same pages with schema-violating data written straight into the database
 * (a gateway's report is untrusted: pages must render whatever they find).
 */
import type { Page } from "@playwright/test";
import { signedHeaders } from "../lib/connector/signature";
import { protocolRequestExamples } from "../test/protocol-examples";
import { expect, makeUser, signIn, sql, test } from "./fixtures";
import { registerSimGateway } from "./sim-gateway";

async function sendExample(baseURL: string, gw: { id: string; secret: string }, ex: { method: string; path: string; json: string }) {
  const headers: Record<string, string> = ex.path.startsWith("/api/v1/otlp/")
    ? { authorization: `Bearer ${gw.id}.${gw.secret}`, "content-type": "application/json" }
    : { ...signedHeaders(gw.secret, ex.json), "x-warden-gateway": gw.id, "content-type": "application/json" };
  return fetch(`${baseURL}${ex.path}`, { method: ex.method, headers, body: ex.json });
}

async function expectRenders(page: Page, path: string) {
  const res = await page.goto(path);
  expect(res?.status(), path).toBe(200);
  const text = await page.locator("body").innerText();
  expect(text, path).not.toMatch(/Application error|server-side exception|Internal Server Error|This page couldn.t load/i);
  await expect(page.locator("main, [role=main], h1").first(), path).toBeVisible();
}

async function pagesOf(gatewayId: string) {
  const agents = await sql().query<{ id: string }>("select id::text from agents where gateway_id = $1", [gatewayId]);
  const approvals = await sql().query<{ id: string }>("select id::text from approval_requests where gateway_id = $1", [gatewayId]);
  return [
    ...approvals.rows.map((a) => `/approvals/${a.id}`),
    `/gateways/${gatewayId}`,
    "/gateways",
    "/",
    "/posture",
    "/agents",
    ...agents.rows.map((a) => `/agents/${a.id}`),
    `/tool-calls?gateway=${gatewayId}&range=30d`,
    "/tool-calls?range=30d",
    "/map",
    "/findings",
    "/spend",
    "/spend/models",
    "/tools",
    "/approvals",
    "/approvals/rules",
  ];
}

test("every documented request is accepted, and every page showing its data renders", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const gw = await registerSimGateway(baseURL!);
  const examples = protocolRequestExamples();
  expect(examples.length).toBeGreaterThanOrEqual(3);
  // The resolution example is about the approval the approvals example created (documented before it).
  let approvalId: string | null = null;
  for (const ex of examples) {
    const res = await sendExample(baseURL!, gw, { ...ex, path: ex.path.replace("{id}", approvalId ?? "{id}") });
    expect(res.status, `${ex.method} ${ex.path} (docs line ${ex.line}): ${await res.clone().text()}`).toBe(ex.status);
    if (ex.path === "/api/v1/connector/approvals") approvalId = (await res.json()).data.id;
  }
  await signIn(page, await makeUser("admin"));
  for (const path of await pagesOf(gw.id)) await expectRenders(page, path);
  // The documented audit (ts as Unix milliseconds) shows with its date and findings.
  await page.goto(`/gateways/${gw.id}`);
  // Shown as words ("15 days ago"), the exact UTC time on hover.
  await expect(page.locator("p", { hasText: /^ran / }).locator('time[title^="2026-11-22 21:04:"]')).toBeVisible();
  await expect(page.getByText("Gateway reachable without auth — Set gateway.auth.mode to token.")).toBeVisible();
});

test("pages render schema-violating data stored for a gateway", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const hostile = [
    { ts: "not a date", summary: { critical: "many", warn: null, info: -3 }, findings: [{ checkId: { x: 1 }, severity: "fatal", title: { nested: ["object"] }, detail: 42 }, "not-an-object", null] },
    { ts: 1e20, summary: "none", findings: "none" },
    { ts: -1, findings: [{ checkId: "a" }, { checkId: "a" }] },
    ["an", "array"],
    "a string",
  ];
  const inventories = [
    { agents: "not-an-array", tools: { a: 1 }, config: [1, 2], plugins: [null, 3], skills: [{ name: { x: 1 } }], channels: [{ id: 5 }] },
    { agents: [{ id: { x: 1 }, name: null, model: 7, tools: { allow: "x", deny: [null] } }, null, 4], tools: [null, { name: ["x"] }], cronJobs: "x", channels: null },
    [],
  ];
  test.setTimeout(180_000); // a dozen pages, three times over
  await signIn(page, await makeUser("admin"));
  const store = (audit: unknown, inventory: unknown) =>
    sql().query("update gateways set security_audit = $2::jsonb, inventory = $3::jsonb where id = $1", [gw.id, JSON.stringify(audit), JSON.stringify(inventory)]);
  for (let i = 0; i < inventories.length; i++) {
    await store(hostile[i], inventories[i]);
    for (const path of await pagesOf(gw.id)) await expectRenders(page, path);
  }
  // The remaining audit shapes only reach the gateway page.
  for (const audit of hostile.slice(inventories.length)) {
    await store(audit, inventories[0]);
    await expectRenders(page, `/gateways/${gw.id}`);
  }
});
