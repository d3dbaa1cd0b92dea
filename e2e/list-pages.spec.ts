/**
 * The seven list pages share one list component (components/ui/ListPage.tsx). For each page: a
 * filter goes to the URL and survives a reload and back/forward, paging moves through the rows,
 * the CSV link downloads exactly the filtered rows, and a filter that matches nothing (or a page
 * past the end) shows an empty state that says so with the way out.
 */
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, makeUser, rid, signIn, sql, test, type TestUser } from "./fixtures";

type Seed = (tag: string) => Promise<{ a: string[]; b: string }>;
type ListCase = {
  path: string;
  caption: string;
  noun: string;
  /** The filter's label and the value that keeps the `a` rows and drops the `b` row. */
  filter: { label: string; key: string; value: string };
  /** Inserts two rows the filter keeps and one it drops; every name holds `tag`. Returns their names. */
  seed: Seed;
};

async function gatewayAndAgent(tag: string) {
  const gw = randomUUID();
  const agent = randomUUID();
  await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'generic','test',now())", [gw, `gw-${tag}`]);
  await sql().query("insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, updated_at) values ($1,$2,'t','t','{}','{}','{}',$3,now())", [
    agent,
    `agent-${tag}`,
    gw,
  ]);
  return { gw, agent };
}

const CASES: ListCase[] = [
  {
    path: "/agents",
    caption: "Agents",
    noun: "agents",
    filter: { label: "Status", key: "status", value: "suspended" },
    seed: async (tag) => {
      const gw = randomUUID();
      await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'generic','test',now())", [gw, `gw-${tag}`]);
      const names = [`${tag}-keep1`, `${tag}-keep2`, `${tag}-other`];
      for (const [i, n] of names.entries()) {
        await sql().query(
          "insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, status, updated_at) values ($1,$2,'o','list e2e','{}','{}','{}',$3,$4,now())",
          [randomUUID(), n, gw, i < 2 ? "suspended" : "active"],
        );
      }
      return { a: names.slice(0, 2), b: names[2] };
    },
  },
  {
    path: "/tools",
    caption: "Tools",
    noun: "tools",
    filter: { label: "Kind", key: "kind", value: "mcp_server" },
    seed: async (tag) => {
      const names = [`${tag}-keep1`, `${tag}-keep2`, `${tag}-other`];
      for (const [i, n] of names.entries())
        await sql().query("insert into tools (id, name, kind, source, publisher, updated_at) values ($1,$2,$3,'npm','list-e2e',now())", [randomUUID(), n, i < 2 ? "mcp_server" : "tool"]);
      return { a: names.slice(0, 2), b: names[2] };
    },
  },
  {
    path: "/integrations",
    caption: "Integrations",
    noun: "integrations",
    filter: { label: "Provider", key: "verified", value: "yes" },
    seed: async (tag) => {
      const names = [`${tag}-keep1`, `${tag}-keep2`, `${tag}-other`];
      for (const [i, n] of names.entries())
        await sql().query("insert into integrations (id, name, provider, provider_verified, reason, updated_at) values ($1,$2,'Acme',$3,'list e2e',now())", [randomUUID(), n, i < 2]);
      return { a: names.slice(0, 2), b: names[2] };
    },
  },
  {
    path: "/incidents",
    caption: "Incidents",
    noun: "incidents",
    filter: { label: "Severity", key: "severity", value: "critical" },
    seed: async (tag) => {
      const names = [`${tag}-keep1`, `${tag}-keep2`, `${tag}-other`];
      for (const [i, n] of names.entries())
        await sql().query("insert into incidents (id, title, severity, opened_at) values ($1,$2,$3, now() - ($4 || ' minutes')::interval)", [
          randomUUID(),
          n,
          i < 2 ? "critical" : "low",
          String(5 + i),
        ]);
      return { a: names.slice(0, 2), b: names[2] };
    },
  },
  {
    path: "/findings",
    caption: "Findings",
    noun: "findings",
    filter: { label: "Severity", key: "severity", value: "critical" },
    seed: async (tag) => {
      const names = [`${tag}-keep1`, `${tag}-keep2`, `${tag}-other`];
      for (const [i, n] of names.entries())
        await sql().query("insert into findings (id, kind, severity, title, last_seen_at) values ($1,'spike',$2,$3, now() - ($4 || ' minutes')::interval)", [
          randomUUID(),
          i < 2 ? "critical" : "low",
          n,
          String(5 + i),
        ]);
      return { a: names.slice(0, 2), b: names[2] };
    },
  },
  {
    path: "/data-flows",
    caption: "Data flows",
    noun: "data flows",
    filter: { label: "Classification", key: "classification", value: "restricted" },
    seed: async (tag) => {
      const { agent } = await gatewayAndAgent(tag);
      const names = [`${tag}-keep1`, `${tag}-keep2`, `${tag}-other`];
      for (const [i, n] of names.entries()) {
        await sql().query("insert into data_flows (id, agent_id, service, host, data_sent, data_received, classification, updated_at) values ($1,$2,$3,$4,'d','d',$5,now())", [
          randomUUID(),
          agent,
          n,
          `h${i}-${tag}.example`,
          i < 2 ? "restricted" : "public",
        ]);
      }
      return { a: names.slice(0, 2), b: names[2] };
    },
  },
  {
    path: "/playbooks",
    caption: "Playbooks",
    noun: "playbooks",
    filter: { label: "Trigger", key: "trigger", value: "hash_drift" },
    seed: async (tag) => {
      const names = [`${tag}-keep1`, `${tag}-keep2`, `${tag}-other`];
      for (const [i, n] of names.entries()) await sql().query("insert into playbooks (id, name, trigger, updated_at) values ($1,$2,$3,now())", [randomUUID(), n, i < 2 ? "hash_drift" : "manual"]);
      return { a: names.slice(0, 2), b: names[2] };
    },
  },
];

/** A filter menu of the list by its label. */
const filterSelect = (page: Page, label: string) => page.getByRole("combobox", { name: label, exact: true });

let lead: TestUser;
test.beforeAll(async () => {
  lead = await makeUser("security_lead");
});

for (const c of CASES) {
  test(`${c.path}: filters in the URL, paging, CSV of the view, empty state`, async ({ page }) => {
    const tag = `lp${rid()}`;
    const { a, b } = await c.seed(tag);
    await signIn(page, lead);
    const table = page.getByRole("table", { name: c.caption });
    const row = (name: string) => table.getByRole("row", { name: new RegExp(name) });

    // Search, then filter: both land in the URL.
    await page.goto(c.path);
    await page.getByRole("search").getByRole("textbox").fill(tag);
    await page.getByRole("search").getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]q=${tag}`));
    await expect(row(b)).toBeVisible();
    await filterSelect(page, c.filter.label).selectOption(c.filter.value);
    await expect(page).toHaveURL(new RegExp(`[?&]${c.filter.key}=${c.filter.value}`));
    await expect(page).toHaveURL(new RegExp(`[?&]q=${tag}`));
    for (const n of a) await expect(row(n)).toBeVisible();
    await expect(row(b)).toHaveCount(0);
    await expect(page.getByTestId("list-total")).toHaveText("2 rows");

    // A reload keeps the view; back and forward move between views.
    await page.reload();
    await expect(filterSelect(page, c.filter.label)).toHaveValue(c.filter.value);
    await expect(page.getByRole("search").getByRole("textbox")).toHaveValue(tag);
    await expect(row(b)).toHaveCount(0);
    await page.goBack();
    await expect(page).not.toHaveURL(new RegExp(`${c.filter.key}=`));
    await expect(row(b)).toBeVisible();
    await expect(filterSelect(page, c.filter.label)).toHaveValue("");
    await page.goForward();
    await expect(page).toHaveURL(new RegExp(`[?&]${c.filter.key}=${c.filter.value}`));
    await expect(row(b)).toHaveCount(0);

    // The CSV link carries the view and downloads exactly its rows.
    const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    expect(href).toContain(`${c.filter.key}=${c.filter.value}`);
    expect(href).toContain("format=csv");
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download CSV" }).click();
    const file = await (await download).path();
    const csv = (await import("node:fs")).readFileSync(file, "utf8");
    for (const n of a) expect(csv).toContain(n);
    expect(csv).not.toContain(b);
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(3); // header + the two filtered rows

    // Paging: one row a page, Next and Previous move through the filtered rows.
    await page.goto(`${c.path}?q=${tag}&${c.filter.key}=${c.filter.value}&pageSize=1`);
    const pager = page.getByRole("navigation", { name: "Pagination" });
    await expect(pager).toContainText("Page 1 of 2");
    const onFirst = (await row(a[0]).count()) > 0 ? a[0] : a[1];
    const onSecond = onFirst === a[0] ? a[1] : a[0];
    await expect(row(onFirst)).toBeVisible();
    await pager.getByRole("link", { name: "Next →" }).click();
    await expect(page).toHaveURL(/[?&]page=2/);
    await expect(pager).toContainText("Page 2 of 2");
    await expect(row(onSecond)).toBeVisible();
    await expect(row(onFirst)).toHaveCount(0);
    await pager.getByRole("link", { name: "← Previous" }).click();
    await expect(row(onFirst)).toBeVisible();

    // A page past the end says so and links to the last page.
    await page.goto(`${c.path}?q=${tag}&${c.filter.key}=${c.filter.value}&pageSize=1&page=40`);
    const pastEnd = page.getByTestId("list-empty");
    await expect(pastEnd).toContainText(`No ${c.noun} on page 40`);
    await pastEnd.getByRole("link", { name: "Go to the last page" }).click();
    await expect(pager).toContainText("Page 2 of 2");

    // A search that matches nothing: the empty state names the filters as the reason and clears them.
    await page.goto(`${c.path}?q=${tag}&${c.filter.key}=${c.filter.value}`);
    await page.getByRole("search").getByRole("textbox").fill(`${tag}-nothing-matches`);
    await page.getByRole("search").getByRole("button", { name: "Search" }).click();
    const empty = page.getByTestId("list-empty");
    await expect(empty).toContainText(`No ${c.noun} match`);
    await expect(table).toHaveCount(0);
    await empty.getByRole("link", { name: "Clear the filters" }).click();
    await expect(page).toHaveURL(new RegExp(`${c.path}$`));
    await expect(filterSelect(page, c.filter.label)).toHaveValue("");
  });
}

test("invalid params are named and ignored, the list still shows; times read as words with the exact UTC time on hover", async ({ page }) => {
  const tag = `lp${rid()}`;
  await sql().query("insert into incidents (id, title, severity, opened_at) values ($1,$2,'high', now() - interval '3 hours')", [randomUUID(), `${tag}-inc`]);
  await signIn(page, lead);
  await page.goto(`/incidents?q=${tag}&page=1e30&sort=password_hash&severity=%27%3Bdrop&dir=sideways`);
  const alert = page.getByRole("alert").filter({ hasText: "were not valid" });
  for (const p of ["page", "severity", "dir"]) await expect(alert).toContainText(p);
  const row = page.getByRole("table", { name: "Incidents" }).getByRole("row", { name: new RegExp(tag) });
  await expect(row).toBeVisible();
  const opened = row.locator("time");
  await expect(opened).toHaveText("3 h ago");
  await expect(opened).toHaveAttribute("title", /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
  // The CSV link carries only the valid params.
  const href = (await page.getByRole("link", { name: "Download CSV" }).getAttribute("href"))!;
  expect(href).not.toContain("1e30");
  expect(href).not.toContain("drop");
  const res = await page.request.get(href);
  expect(res.status()).toBe(200);
  expect(await res.text()).toContain(`${tag}-inc`);
});
