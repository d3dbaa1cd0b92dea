/**
 * The explorer's daily work (issue 20 §3): a call a gateway posts appears in the open explorer
 * without a reload (live tail, filters respected), pausing holds it back and resuming shows it;
 * times in the browser's zone; keyboard navigation; collapsible JSON in the drawer; saved views.
 */
import { randomUUID } from "node:crypto";
import { signedHeaders } from "../lib/connector/signature";
import { expect, makeUser, rid, signIn, signInApi, sql, test } from "./fixtures";
import { addAgent, registerSimGateway } from "./sim-gateway";

test.use({ timezoneId: "Europe/Paris" });
// Each test walks a whole journey through several page loads: give it room on a busy machine.
test.describe.configure({ timeout: 120_000 });

test("live tail: a posted call appears without reload, only when it matches the filters; pause holds calls back and resume shows them", async ({ page, baseURL }) => {
  const gw = await registerSimGateway(baseURL!);
  const agent = await addAgent(gw.id);
  const tool = `live_${rid()}`;
  const post = async (toolName: string) => {
    const text = JSON.stringify({
      events: [
        {
          eventId: `call-${randomUUID()}.decision`,
          occurredAt: new Date().toISOString(),
          agentId: `ext-${agent.name}`,
          agentName: agent.name,
          toolName,
          params: { path: `/tmp/${rid()}` },
          decision: "allowed",
        },
      ],
    });
    const res = await fetch(`${baseURL}/api/v1/connector/events`, {
      method: "POST",
      headers: { ...signedHeaders(gw.secret, text), "x-warden-gateway": gw.id, "content-type": "application/json" },
      body: text,
    });
    expect(res.status).toBe(202);
  };

  await signIn(page, await makeUser("operator"));
  await page.goto(`/tool-calls?tool=${tool}&range=1h`);
  await expect(page.getByText("No tool calls match")).toBeVisible();
  await expect(page.getByText("Times in Europe/Paris")).toBeVisible();
  await expect(page.locator('[data-live="on"]')).toContainText("Live");
  const rows = page.locator("tr[data-call-row]");

  // A call of another tool is not in this view; the matching one appears without a reload.
  await post(`other_${rid()}`);
  const t0 = Date.now();
  await post(tool);
  await rows.first().waitFor({ state: "visible", timeout: 15_000 });
  const latency = Date.now() - t0;
  console.log(`[explorer-live] call posted → row visible: ${latency} ms`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(tool);
  await expect(rows.first()).toContainText(agent.name);
  await expect(rows.first()).toHaveAttribute("data-new", "");
  await expect(rows.first()).toContainText(/just now|\d+ s ago/);
  await expect(page.getByText("1 row", { exact: true })).toBeVisible();

  // Paused: the next call is counted, not shown.
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.locator('[data-live="paused"]')).toContainText("No new calls yet");
  await post(tool);
  await expect(page.locator("[data-pending]")).toHaveText("1 new call", { timeout: 15_000 });
  await expect(rows).toHaveCount(1);
  await page.waitForTimeout(2_500); // another poll or so: still held back, and counted once
  await expect(rows).toHaveCount(1);
  await expect(page.locator("[data-pending]")).toHaveText("1 new call");

  // Resumed: shown, highlighted, newest first; the tail goes on.
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toHaveAttribute("data-new", "");
  await expect(page.locator('[data-live="on"]')).toBeVisible();
  await post(tool);
  await expect(rows).toHaveCount(3, { timeout: 15_000 });
  await expect(page.getByText("3 rows", { exact: true })).toBeVisible();

  // Paging back or sorting oldest first turns the tail off, with a way back.
  await page.getByRole("link", { name: "Time" }).click();
  await expect(page.locator('[data-live="off"]')).toContainText("sorted oldest first");
  await page.getByRole("link", { name: "Show the newest calls live" }).click();
  await expect(page.locator('[data-live="on"]')).toBeVisible();
});

async function seedCalls(tool: string) {
  const gw = randomUUID();
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'openclaw','test',now())", [gw, `gw-${rid()}`]);
  const now = Date.now();
  for (let i = 0; i < 3; i++) {
    const params = { query: `marker-${i}`, nested: { deep: { token: "[REDACTED]", list: [1, 2, 3] } }, long: `${"lorem ipsum ".repeat(40)}END-OF-LONG-${i}`, html: "<img src=x onerror=alert(1)>" };
    await sql().query("insert into tool_calls (occurred_at, gateway_id, event_id, agent_name, tool_name, params, result, decision, egress_hosts) values ($1,$2,$3,$4,$5,$6,$7,'allowed','{}')", [
      new Date(now - (i + 1) * 60_000),
      gw,
      `e-${rid()}`,
      `kb-agent-${i}`,
      tool,
      JSON.stringify(params),
      JSON.stringify({ ok: true, lines: i }),
    ]);
  }
}

test("keyboard: j/k and arrows move through rows, Enter opens, Esc closes, / searches, ? shows the shortcuts; JSON collapses and expands", async ({ page }) => {
  const tool = `kb_${rid()}`;
  await seedCalls(tool);
  await signIn(page, await makeUser("security_lead"));
  await page.goto(`/tool-calls?tool=${tool}`);
  const buttons = page.locator("tr[data-call-row] button[data-call-open]");
  await expect(buttons).toHaveCount(3);

  await page.keyboard.press("j");
  await expect(buttons.nth(0)).toBeFocused();
  await page.keyboard.press("j");
  await expect(buttons.nth(1)).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(buttons.nth(2)).toBeFocused();
  await page.keyboard.press("j"); // stays on the last row
  await expect(buttons.nth(2)).toBeFocused();
  await page.keyboard.press("k");
  await expect(buttons.nth(1)).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(buttons.nth(0)).toBeFocused();

  // Enter opens the focused call; its parameters are a tree.
  await page.keyboard.press("Enter");
  const drawer = page.getByRole("dialog", { name: /Tool call/ });
  await expect(drawer).toBeVisible();
  await expect(drawer).toContainText("kb-agent-0");
  const params = drawer.getByRole("group", { name: "Parameters (JSON)" });
  await expect(params).toContainText('"marker-0"');
  await expect(params).toContainText('"nested"');
  await expect(params).toContainText('"deep"');
  await expect(params).not.toContainText('"list"'); // two levels open by default
  await expect(params).toContainText("<img src=x onerror=alert(1)>"); // as text, never as markup
  expect(await drawer.locator("img").count()).toBe(0);
  await expect(params).not.toContainText("END-OF-LONG-0");
  await params.getByRole("button", { name: /show more \(\d+ more characters\)/ }).click();
  await expect(params).toContainText("END-OF-LONG-0");

  const viewer = drawer.locator("[data-json-view]").first();
  await viewer.getByRole("button", { name: "Expand all" }).click();
  await expect(params).toContainText('"list"');
  await expect(params.getByText("[REDACTED]")).toBeVisible(); // redacted before storage, stays so
  await viewer.getByRole("button", { name: "Collapse all" }).click();
  await expect(params).toContainText('"nested"');
  await expect(params).not.toContainText('"deep"');
  const nested = params.getByRole("button", { name: /"nested"/ });
  await expect(nested).toHaveAttribute("aria-expanded", "false");
  await nested.click();
  await expect(nested).toHaveAttribute("aria-expanded", "true");
  await expect(params).toContainText('"deep"');
  await expect(drawer.getByRole("group", { name: "Result (JSON)" })).toContainText('"ok"');

  // Keys inside the drawer are not the table's; Esc closes it and focus returns to the row.
  await page.keyboard.press("j");
  await expect(drawer).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);
  await expect(buttons.nth(0)).toBeFocused();

  // "/" focuses the search field; typing there is never taken as a shortcut.
  await page.keyboard.press("/");
  const search = page.getByRole("searchbox");
  await expect(search).toBeFocused();
  await page.keyboard.type("jk?");
  await expect(search).toHaveValue("jk?");
  await expect(search).toBeFocused();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await search.fill("");

  // "?" shows the shortcuts; Esc closes them.
  await buttons.nth(1).focus();
  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await expect(help).toContainText("Open the focused call");
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);
});

test("saved views: save the filters under a name, open, rename, refuse a duplicate name, delete; private to their user", async ({ page, playwright, baseURL }) => {
  const tool = `sv_${rid()}`;
  await seedCalls(tool);
  const user = await makeUser("auditor");
  await signIn(page, user);
  const name = `Blocked ${tool}`;
  await page.goto(`/tool-calls?tool=${tool}&decision=blocked&range=7d`);
  await page.getByRole("button", { name: "Save view" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator("[data-toast]").filter({ hasText: `View "${name}" saved.` })).toBeVisible();
  const views = page.getByRole("list", { name: "Your saved views" });
  await expect(views.getByRole("link", { name })).toHaveAttribute("aria-current", "page");

  // Open it from a plain explorer.
  await page.goto("/tool-calls");
  await views.getByRole("link", { name }).click();
  await expect(page).toHaveURL(new RegExp(`tool=${tool}`));
  await expect(page).toHaveURL(/decision=blocked/);
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.getByLabel("Decision")).toHaveValue("blocked");

  // The same name for other filters (any case) is refused with a field error.
  await page.goto(`/tool-calls?tool=${tool}`);
  await page.getByRole("button", { name: "Save view" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name.toUpperCase());
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "You already have a view with this name." })).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();

  // Another user sees none of it.
  const other = await playwright.request.newContext({ baseURL });
  await signInApi(other, await makeUser("auditor"));
  expect((await (await other.get("/api/v1/tool-calls/views")).json()).data).toEqual([]);
  await other.dispose();

  // Rename, then delete (after a confirmation).
  await page.getByRole("button", { name: "Manage" }).click();
  const manage = page.getByRole("list", { name: "Manage saved views" });
  await manage.getByLabel(`Name of ${name}`).fill(`${name} renamed`);
  await manage.getByRole("button", { name: "Rename" }).click();
  await expect(views.getByRole("link", { name: `${name} renamed` })).toBeVisible();
  await manage.getByRole("button", { name: `Delete ${name} renamed` }).click();
  await manage.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(views.getByRole("link")).toHaveCount(0);
  const left = await sql().query("select count(*)::int as n from tool_call_views where user_id = $1", [user.id]);
  expect(left.rows[0].n).toBe(0);
  const audited = await sql().query("select action from audit_events where actor_label = $1 and action like 'tool_call_view.%' order by id", [user.email]);
  expect(audited.rows.map((r: { action: string }) => r.action)).toEqual(["tool_call_view.create", "tool_call_view.update", "tool_call_view.delete"]);
});
