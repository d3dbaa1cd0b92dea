/**
 * The ecosystem map reads at its default zoom: every label on a node or a line renders at 12 px or
 * more (computed font size × the viewport's zoom) with the demo fleet; agents sit in the lane of
 * the gateway that runs them; hovering or focusing a node lights its neighbourhood and dims the
 * rest; the table fallback stays one link away.
 */
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, makeUser, rid, signIn, sql, test } from "./fixtures";

/** The zoom of the React Flow viewport (its CSS transform's scale). */
async function zoomOf(page: Page): Promise<number> {
  return page.locator(".react-flow__viewport").evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
}

/** The smallest computed font size of any element on the canvas that holds text of its own. */
async function smallestLabel(page: Page): Promise<{ px: number; text: string; count: number }> {
  return page.locator(".react-flow__viewport").evaluate((root) => {
    let px = Infinity;
    let text = "";
    let count = 0;
    for (const el of root.querySelectorAll<HTMLElement | SVGElement>("*")) {
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())
        .map((n) => n.textContent!.trim())
        .join(" ");
      if (!own) continue;
      count++;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < px) [px, text] = [size, own];
    }
    return { px, text, count };
  });
}

/** Boxes of several map nodes read at one instant (the viewport may still be moving between two reads). */
const boxesOf = (page: Page, ids: string[]) =>
  page.evaluate(
    (ids) => ids.map((id) => document.querySelector(`.react-flow__node[data-id="${id}"]`)!.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number }),
    ids,
  );
const inside = (inner: { x: number; y: number; width: number; height: number }, outer: typeof inner) =>
  inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;

test("with the demo fleet, every label on the map renders at 12 px or more at the default zoom", async ({ page }) => {
  await signIn(page, await makeUser("auditor"));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/map");
  await expect(page.locator(".react-flow__node-record").first()).toBeVisible();
  await expect(page.locator('.react-flow__node-record[data-id^="gateway:"]').first()).toBeVisible();
  const zoom = await zoomOf(page);
  const { px, text, count } = await smallestLabel(page);
  expect(count).toBeGreaterThan(10);
  expect(px * zoom, `smallest label "${text}": ${px}px × zoom ${zoom}`).toBeGreaterThanOrEqual(12);
  // The demo gateway's lane is on screen and holds its agents.
  const lane = page.locator(".react-flow__node-lane").filter({ hasText: "Gateway prod-gateway-eu" });
  await expect(lane).toBeVisible();
  const [agentBox, laneBox] = await page.evaluate(() => {
    const find = (sel: string, text: string) =>
      [...document.querySelectorAll(sel)]
        .find((el) => el.textContent!.includes(text))!
        .getBoundingClientRect()
        .toJSON() as { x: number; y: number; width: number; height: number };
    return [find(".react-flow__node-record", "seo-research"), find(".react-flow__node-lane", "Gateway prod-gateway-eu")];
  });
  expect(inside(agentBox, laneBox)).toBe(true);
  // The same nodes as a table, one link away.
  await page.getByRole("link", { name: "Read the map as a table" }).click();
  // The jump lands on the table; the gateway's row is in it (how far down depends on what else the database holds).
  await expect(page.locator("#map-list")).toBeInViewport();
  await expect(page.getByRole("table", { name: "Nodes of the ecosystem map" }).getByRole("link", { name: "prod-gateway-eu", exact: true }).first()).toBeVisible();
});

test("agents sit in their gateway's lane; hovering or focusing a node dims everything outside its neighbourhood", async ({ page }) => {
  const [gw1, gw2, alpha, beta, delta] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const n = { gw1: `lane-a-${rid()}`, gw2: `lane-b-${rid()}`, alpha: `alpha-${rid()}`, beta: `beta-${rid()}`, delta: `delta-${rid()}` };
  for (const [id, name] of [
    [gw1, n.gw1],
    [gw2, n.gw2],
  ]) {
    await sql().query("insert into gateways (id, name, kind, environment, updated_at) values ($1,$2,'openclaw','test',now())", [id, name]);
  }
  for (const [id, name, gw, ext] of [
    [alpha, n.alpha, gw1, "alpha"],
    [beta, n.beta, gw1, "beta"],
    [delta, n.delta, gw2, "delta"],
  ]) {
    await sql().query(
      "insert into agents (id, name, owner, purpose, channels, fallback_models, credential_refs, gateway_id, external_id, updated_at) values ($1,$2,'t','t','{}','{}','{}',$3,$4,now())",
      [id, name, gw, ext],
    );
  }
  // alpha may reach delta (an approved pair across gateways); beta only shares alpha's gateway.
  await sql().query("insert into agent_link_approvals (id, from_agent_id, to_agent_id, reason, approved_by) values ($1,$2,$3,'e2e pair','e2e')", [randomUUID(), alpha, delta]);

  await signIn(page, await makeUser("operator"));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/map?agent=${beta}`);
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  // Filtered to beta: beta with its gateway's lane.
  await expect(node(`agent:${beta}`)).toBeVisible();
  const [betaOnly, laneOnly] = await boxesOf(page, [`agent:${beta}`, `lane:gateway:${gw1}`]);
  expect(inside(betaOnly, laneOnly)).toBe(true);

  await page.goto("/map");
  await expect(node(`agent:${alpha}`)).toBeAttached();
  await expect(page.locator(".react-flow__node-record").first()).toBeVisible();
  // Both of gw1's agents in its lane, under the gateway; delta in gw2's lane.
  const [lane1, gwBox, aBox, bBox, lane2, dBox] = await boxesOf(page, [`lane:gateway:${gw1}`, `gateway:${gw1}`, `agent:${alpha}`, `agent:${beta}`, `lane:gateway:${gw2}`, `agent:${delta}`]);
  for (const [name, b] of [
    ["gateway", gwBox],
    ["alpha", aBox],
    ["beta", bBox],
  ] as const)
    expect(inside(b, lane1), name).toBe(true);
  expect(inside(dBox, lane2)).toBe(true);
  expect(inside(dBox, lane1)).toBe(false);
  expect(gwBox.y).toBeLessThan(aBox.y);

  // Keyboard focus on beta (the map pans to it): beta and its gateway lit, alpha dimmed.
  await node(`agent:${beta}`).focus();
  await expect(node(`agent:${beta}`)).toHaveClass(/map-lit/);
  await expect(node(`gateway:${gw1}`)).toHaveClass(/map-lit/);
  await expect(node(`agent:${alpha}`)).toHaveClass(/map-dim/);
  await expect(node(`agent:${alpha}`)).toHaveCSS("opacity", "0.2");
  await node(`agent:${beta}`).blur();
  await expect(node(`agent:${alpha}`)).not.toHaveClass(/map-dim/);

  // Focus alpha: its gateway and its approved peer are lit, beta (same lane, no link) dims.
  await node(`agent:${alpha}`).focus();
  await expect(node(`agent:${alpha}`)).toHaveClass(/map-lit/);
  await expect(node(`gateway:${gw1}`)).toHaveClass(/map-lit/);
  await expect(node(`agent:${delta}`)).toHaveClass(/map-lit/);
  await expect(node(`agent:${beta}`)).toHaveClass(/map-dim/);
  await expect(page.locator(".react-flow__edge.map-lit")).not.toHaveCount(0);
  // Enter opens the focused record.
  await node(`agent:${alpha}`).press("Enter");
  await expect(page).toHaveURL(new RegExp(`/agents/${alpha}$`));

  // The mouse path, on the map filtered to alpha (small enough to be on screen whatever else the
  // shared e2e database holds): hovering alpha lights its gateway and its approved peer.
  await page.goto(`/map?agent=${alpha}`);
  await expect(node(`agent:${delta}`)).toBeVisible();
  await node(`agent:${alpha}`).hover();
  await expect(node(`agent:${alpha}`)).toHaveClass(/map-lit/);
  await expect(node(`gateway:${gw1}`)).toHaveClass(/map-lit/);
  await expect(node(`agent:${delta}`)).toHaveClass(/map-lit/);
});
