#!/usr/bin/env node
// Regenerate the README's screenshots from a running Warden with the live demo fleet:
//   WARDEN_URL=http://127.0.0.1:3000 WARDEN_ADMIN_EMAIL=… WARDEN_ADMIN_PASSWORD=… node scripts/screenshots.mjs
// Signs in as that user in Chromium (CHROMIUM_PATH, default /usr/bin/chromium; Playwright never
// downloads one here), lets the demo fleet run a little, and writes public/screenshots/
// overview.png, explorer.png, map.png and tool-review.png at 1440×900. The password is read from
// the environment only and never printed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "public", "screenshots");
const base = (process.env.WARDEN_URL || "http://127.0.0.1:3000").replace(/\/+$/, "");
const email = process.env.WARDEN_ADMIN_EMAIL || "admin@warden.local";
const password = process.env.WARDEN_ADMIN_PASSWORD;
if (!password) {
  console.error("Set WARDEN_ADMIN_PASSWORD (and WARDEN_ADMIN_EMAIL) to a user who can read every page.");
  process.exit(2);
}

const shots = [
  { file: "overview.png", path: "/", ready: (p) => p.getByRole("heading", { level: 1 }).first().waitFor() },
  { file: "explorer.png", path: "/tool-calls?range=24h", ready: (p) => p.getByRole("table").first().waitFor() },
  { file: "map.png", path: "/map", ready: (p) => p.locator(".react-flow, [data-testid=map], table").first().waitFor() },
  // The pending review a newcomer finds: the seo-keyword-scout upgrade.
  { file: "tool-review.png", path: null, ready: (p) => p.getByRole("heading", { level: 1 }).first().waitFor() },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: "light", timezoneId: "UTC", locale: "en-GB" });
  const page = await context.newPage();
  await page.goto(`${base}/login`, { waitUntil: "networkidle" });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page
    .waitForURL((u) => u.pathname === "/", { timeout: 30_000 })
    .catch(() => {
      throw new Error(`could not sign in as ${email} at ${base}`);
    });
  fs.mkdirSync(OUT, { recursive: true });
  for (const shot of shots) {
    let target = shot.path;
    if (!target) {
      // The newest pending tool request, from the API (the session cookie carries over).
      const res = await page.request.get(`${base}/api/v1/tool-requests`);
      const id = res.ok() ? (await res.json()).data?.[0]?.id : null;
      target = id ? `/tools/requests/${id}` : "/tools";
    }
    await page.goto(`${base}${target}`, { waitUntil: "networkidle" });
    await shot.ready(page).catch(() => {});
    await page.waitForTimeout(800); // charts animate in
    await page.screenshot({ path: path.join(OUT, shot.file), fullPage: false });
    console.log(`wrote public/screenshots/${shot.file} (${target})`);
  }
} finally {
  await browser.close();
}
