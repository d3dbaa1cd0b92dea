/**
 * Dashboards load card by card and fail card by card; a page that fails shows the console's error
 * boundary (a message, the error reference, a retry; never the error's text); a missing record
 * shows the console's not-found page. Faults come from the test-only WARDEN_TEST_FAULTS cookie
 * (lib/faults), set on this spec's own browser only.
 */
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, makeUser, signIn, test } from "./fixtures";

async function fault(page: Page, value: string) {
  const url = new URL(page.url().startsWith("http") ? page.url() : "http://127.0.0.1");
  await page.context().addCookies([{ name: "warden-test-fault", value, domain: url.hostname, path: "/" }]);
}

test("a slow overview card does not hold the page: the tiles arrive while it still shows its skeleton", async ({ page }) => {
  await signIn(page, await makeUser("manager"));
  await fault(page, "overview-throughput:slow:8000");
  const started = Date.now();
  await page.goto("/", { waitUntil: "commit" });
  await expect(page.getByTestId("tile-pending_reviews")).toBeVisible();
  await expect(page.getByTestId("tile-agents")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Tool calls and blocks" })).toBeVisible();
  const shellAfter = Date.now() - started;
  const skeleton = page.locator("[data-card-skeleton]").filter({ hasText: "Review throughput (12 weeks)" });
  await expect(skeleton).toBeVisible();
  expect(shellAfter).toBeLessThan(7000);
  // The slow card arrives by itself.
  await expect(skeleton).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByRole("heading", { name: "Review throughput (12 weeks)" })).toBeVisible();
  expect(Date.now() - started).toBeGreaterThanOrEqual(7500);
});

test("a failing overview card shows an error in that card only; the page's text never carries the error", async ({ page }) => {
  await signIn(page, await makeUser("auditor"));
  await fault(page, "overview-throughput:fail");
  await page.goto("/");
  const broken = page.locator("[data-card-error]");
  await expect(broken).toHaveCount(1);
  await expect(broken).toContainText("Review throughput (12 weeks)");
  await expect(broken).toContainText("This card could not be loaded");
  await expect(page.getByTestId("tile-pending_reviews")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Spend per agent" })).toBeVisible();
  expect(await page.content()).not.toContain("Injected test fault");
  // Once the fault is gone, "Try again" loads the card in place.
  await page.context().clearCookies({ name: "warden-test-fault" });
  await broken.getByRole("button", { name: "Try again" }).click();
  await expect(page.locator("[data-card-error]")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Review throughput (12 weeks)" })).toBeVisible();
});

test("spend and posture cards fail on their own", async ({ page }) => {
  await signIn(page, await makeUser("security_lead"));
  await fault(page, "spend-alerts:fail");
  await page.goto("/spend");
  await expect(page.locator("[data-card-error]")).toHaveCount(1);
  await expect(page.locator("[data-card-error]")).toContainText("Budget alerts");
  await expect(page.getByRole("heading", { name: "Fleet today" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Fleet spend, last 30 days" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Models" })).toBeVisible();

  await fault(page, "posture:fail");
  await page.goto("/posture");
  await expect(page.getByRole("heading", { name: "Security posture", level: 1 })).toBeVisible();
  await expect(page.locator("[data-card-error]")).toContainText("Overall posture");
});

test("a page that fails on the server shows the console's error boundary with a reference and a retry", async ({ page }) => {
  await signIn(page, await makeUser("operator"));
  await fault(page, "overview-page:fail");
  await page.goto("/");
  const boundary = page.locator("[data-page-error]");
  await expect(boundary.getByRole("heading", { name: "This page could not be loaded" })).toBeVisible();
  await expect(boundary).toContainText(/Error reference: \S+/);
  // Inside the console: the navigation is still there.
  await expect(page.getByRole("navigation").getByRole("link", { name: "Ecosystem map" }).first()).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain("Injected test fault");
  expect(html).not.toMatch(/at [\w.]+ \(.*\.js:\d+:\d+\)/);
  await page.context().clearCookies({ name: "warden-test-fault" });
  await boundary.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByTestId("tile-pending_reviews")).toBeVisible();
  await expect(page.locator("[data-page-error]")).toHaveCount(0);
});

test("a record that does not exist shows the console's not-found page, with the navigation", async ({ page }) => {
  await signIn(page, await makeUser("auditor"));
  const res = await page.goto(`/agents/${randomUUID()}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByText("the record may have been deleted")).toBeVisible();
  await expect(page.getByRole("navigation").getByRole("link", { name: "Ecosystem map" }).first()).toBeVisible();
});
