/**
 * Model usage in the browser: an admin prices a model in the price table (add, edit, delete with
 * confirmation, each audited); a gateway reports model calls through the signed usage endpoint;
 * the spend view shows them per model, per gateway and per agent, priced or unpriced.
 */
import { signedHeaders } from "../lib/connector/signature";
import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";
import { addAgent, registerSimGateway } from "./sim-gateway";

async function reportUsage(baseURL: string, gw: { id: string; secret: string }, calls: unknown[]) {
  const body = JSON.stringify({ calls });
  const res = await fetch(`${baseURL}/api/v1/connector/usage`, { method: "POST", headers: { ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" }, body });
  expect(res.status, await res.clone().text()).toBe(202);
  return res.json();
}

test("an admin edits the model price table; reported model calls are priced with it and shown per model, gateway and agent", async ({ page, baseURL }) => {
  const provider = `e2e${rid()}`;
  await signIn(page, await makeUser("admin"));
  await page.goto("/spend/models");
  await expect(page.getByRole("heading", { name: "Model prices & policy" })).toBeVisible();
  // The shipped defaults are there.
  await expect(page.getByRole("cell", { name: "anthropic/claude-sonnet-4-5", exact: true })).toBeVisible();

  // Add a price: a bad value gets a field error first, nothing is saved.
  const add = page.getByRole("form", { name: "Price of new model" });
  await add.getByLabel("Provider").fill(provider);
  await add.getByLabel("Model").fill("big-1");
  await add.getByLabel("Input, USD per million tokens").fill("-2");
  await add.getByLabel("Output, USD per million tokens").fill("8");
  await add.getByRole("button", { name: "Add price" }).click();
  await expect(add.getByText("A price in dollars per million tokens, e.g. 2.50.")).toBeVisible();
  expect((await sql().query("select count(*)::int as n from model_prices where provider = $1", [provider])).rows[0].n).toBe(0);
  await add.getByLabel("Input, USD per million tokens").fill("2");
  await add.getByRole("button", { name: "Add price" }).click();
  await expect(add.getByRole("status")).toHaveText(`Saved the price of ${provider}/big-1.`);
  const row = page.getByRole("row", { name: new RegExp(`${provider}/big-1`) });
  await expect(row).toContainText("$2");

  // Edit it: input $4 per million.
  await row.getByText("Edit").click();
  const edit = page.getByRole("form", { name: `Price of ${provider}/big-1` });
  await edit.getByLabel("Input, USD per million tokens").fill("4");
  await edit.getByRole("button", { name: "Save price" }).click();
  await expect(edit.getByRole("status")).toHaveText(`Saved the price of ${provider}/big-1.`);
  await expect(
    page
      .getByRole("row", { name: new RegExp(`${provider}/big-1`) })
      .getByRole("cell")
      .nth(1),
  ).toHaveText("$4");

  // A gateway reports calls: one of the priced model, one of a model without a price.
  const gw = await registerSimGateway(baseURL!);
  const agent = await addAgent(gw.id);
  const at = new Date().toISOString();
  const base = { occurredAt: at, agentId: `ext-${agent.name}`, agentName: agent.name, provider, tokensOut: 100_000 };
  expect(
    await reportUsage(baseURL!, gw, [
      { ...base, eventId: `r1-${rid()}.llm`, runId: "r1", model: "big-1", tokensIn: 1_000_000 },
      { ...base, eventId: `r2-${rid()}.llm`, runId: "r2", model: "unknown-2", tokensIn: 10 },
    ]),
  ).toEqual({ accepted: 2, duplicates: 0, rejected: [] });

  await page.goto("/spend");
  // Per model: $4 + $0.80 for big-1; the other model is unpriced, not $0.
  const big = page.getByRole("row", { name: new RegExp(`${provider}/big-1`) });
  await expect(big).toContainText("$4.80");
  const unknown = page.getByRole("row", { name: new RegExp(`${provider}/unknown-2`) });
  await expect(unknown).toContainText("1 unpriced");
  // Per gateway and per agent, with the model share.
  await expect(page.getByRole("row", { name: new RegExp(gw.name) })).toContainText("$4.80");
  const agentRow = page.getByRole("row", { name: new RegExp(agent.name) }).first();
  await expect(agentRow).toContainText("$4.80");
  await expect(agentRow).toContainText("1 unpriced");
  // The agent's 30-day chart.
  await agentRow.getByRole("link", { name: `chart of ${agent.name}` }).click();
  await expect(page.getByRole("img", { name: new RegExp(`^${agent.name} spend per UTC day`) })).toBeVisible();

  // Delete the price, confirming first; later calls of that model are unpriced.
  await page.goto("/spend/models");
  const again = page.getByRole("row", { name: new RegExp(`${provider}/big-1`) });
  await again.getByText("Edit").click();
  await again.getByRole("button", { name: "Delete price…" }).click();
  await again.getByRole("group", { name: "Confirm deletion" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("row", { name: new RegExp(`${provider}/big-1`) })).toHaveCount(0);
  const audits = await sql().query("select action from audit_events where target_type = 'model_price' and after->>'provider' = $1 or before->>'provider' = $1 order by id", [provider]);
  expect(audits.rows.map((r) => r.action)).toEqual(["model_price.set", "model_price.set", "model_price.delete"]);
});

test("a security lead sets the model policy but cannot edit prices", async ({ page }) => {
  await signIn(page, await makeUser("security_lead"));
  await page.goto("/spend/models");
  await expect(page.getByRole("heading", { name: "Add a model price" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: /^Price of / })).toHaveCount(0);
  const pattern = `e2e${rid()}/*`;
  const form = page.getByRole("form", { name: "New model rule" });
  await form.getByLabel("Agents").selectOption("external");
  await form.getByLabel("Models").fill("no slash");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByText(/provider\/model, with \* for any run/)).toBeVisible();
  await form.getByLabel("Models").fill(pattern);
  await form.getByLabel("Decision").selectOption("denied");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByRole("status")).toHaveText(`Saved the rule for ${pattern}.`);
  await expect(page.getByText(pattern, { exact: true })).toBeVisible();
  const rows = await sql().query("select scope::text, status::text from model_rules where pattern = $1", [pattern]);
  expect(rows.rows).toEqual([{ scope: "external", status: "denied" }]);
});
