import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { request as pwRequest, type Page } from "@playwright/test";
import { actionId, expect, makeToken, makeUser, rid, signIn, signInApi, sql, test, wardenOrigin } from "./fixtures";

// A second origin on the same site (127.0.0.1, another port): the browser sends Warden's
// SameSite=Lax session cookie with its requests, which is what made cross-site posts work.
let attacker: http.Server;
let attackerOrigin: string;

test.beforeAll(async () => {
  attacker = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>elsewhere</title><h1>Totally unrelated page</h1>");
  });
  await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});
test.afterAll(() => new Promise<void>((r) => attacker.close(() => r())));

async function incidentsTitled(title: string): Promise<number> {
  const r = await sql().query("select count(*)::int as n from incidents where title like $1", [`${title}%`]);
  return r.rows[0].n;
}

/** Status codes of the responses Warden gave to requests from the page, by path. */
function watchWarden(page: Page) {
  const seen: { method: string; path: string; status: number }[] = [];
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (url.origin === wardenOrigin()) seen.push({ method: res.request().method(), path: url.pathname, status: res.status() });
  });
  return seen;
}

test("a page on another origin cannot change anything with the signed-in user's cookie", async ({ page }) => {
  const admin = await makeUser("admin");
  await signIn(page, admin);
  const title = `csrf-${rid()}`;
  const seen = watchWarden(page);
  await page.goto(`${attackerOrigin}/`);
  await expect(page.getByRole("heading", { name: "Totally unrelated page" })).toBeVisible();

  const warden = wardenOrigin();
  const { id: actionRef } = actionId("openIncident");
  const outcome = await page.evaluate(
    async ({ warden, title }) => {
      const body = JSON.stringify({ title: `${title}-fetch`, severity: "high" });
      const results: string[] = [];
      // 1. text/plain fetch: no preflight, the cookie goes along (the reported attack).
      await fetch(`${warden}/api/v1/incidents`, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body });
      // 2. the same as a urlencoded and a multipart body.
      await fetch(`${warden}/api/v1/incidents`, { method: "POST", mode: "no-cors", credentials: "include", body: new URLSearchParams({ title: `${title}-form`, severity: "high" }) });
      const fd = new FormData();
      fd.set("title", `${title}-multipart`);
      fd.set("severity", "high");
      await fetch(`${warden}/api/v1/incidents`, { method: "POST", mode: "no-cors", credentials: "include", body: fd });
      // 3. application/json needs a CORS preflight, which Warden never grants: the POST is not even sent.
      try {
        await fetch(`${warden}/api/v1/incidents`, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body });
        results.push("json: answered");
      } catch {
        results.push("json: blocked");
      }
      return results;
    },
    { warden, title },
  );
  expect(outcome).toContain("json: blocked");

  // 4. A classic form post with a JSON-looking text/plain body, submitted top-level.
  await page.evaluate(
    ({ warden, title }) => {
      const f = document.createElement("form");
      f.method = "POST";
      f.action = `${warden}/api/v1/incidents`;
      f.enctype = "text/plain";
      const i = document.createElement("input");
      i.name = `{"title":"${title}-textform","severity":"high","x":"`;
      i.value = `"}`;
      f.append(i);
      document.body.append(f);
      f.submit();
    },
    { warden, title },
  );
  await page.waitForURL(`${warden}/api/v1/incidents`);
  await expect(page.locator("body")).toContainText("Cross-site request refused");

  // 5. A server action form post (multipart with the action id) to a console page.
  await page.goto(`${attackerOrigin}/`);
  await page.evaluate(
    ({ warden, actionRef, title }) => {
      const f = document.createElement("form");
      f.method = "POST";
      f.action = `${warden}/incidents`;
      f.enctype = "multipart/form-data";
      for (const [k, v] of [
        [`$ACTION_ID_${actionRef}`, ""],
        ["title", `${title}-action`],
        ["severity", "high"],
      ]) {
        const i = document.createElement("input");
        i.name = k;
        i.value = v;
        f.append(i);
      }
      document.body.append(f);
      f.submit();
    },
    { warden, actionRef, title },
  );
  await page.waitForURL(`${warden}/incidents`);
  await expect(page.locator("body")).toContainText("Cross-site request refused");

  // Nothing was created, every request that reached Warden was refused, and the refusals are audited.
  expect(await incidentsTitled(title)).toBe(0);
  const posts = seen.filter((s) => s.method === "POST");
  expect(posts.length).toBe(5);
  for (const p of posts) expect(p.status, `${p.method} ${p.path}`).toBe(403);
  const audit = await sql().query("select count(*)::int as n from audit_events where action = 'request.cross_site' and outcome = 'denied' and actor_id = $1", [admin.id]);
  expect(audit.rows[0].n).toBe(posts.length);

  // The same user, from Warden's own pages, still can (same origin, JSON).
  await page.goto("/");
  const ok = await page.evaluate(async (title) => {
    const res = await fetch("/api/v1/incidents", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: `${title}-own`, severity: "low" }) });
    return res.status;
  }, title);
  expect(ok).toBe(201);
  // … but not with a text/plain body, even from its own origin.
  const plain = await page.evaluate(async (title) => {
    const res = await fetch("/api/v1/incidents", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ title: `${title}-plain`, severity: "low" }) });
    return { status: res.status, body: await res.json() };
  }, title);
  expect(plain).toMatchObject({ status: 415, body: { error: { code: "unsupported_media_type" } } });
  expect(await incidentsTitled(`${title}-own`)).toBe(1);
  expect(await incidentsTitled(title)).toBe(1);
});

/** Every route handler under app/api that can change state, with a sample path. */
function stateChangingRoutes(): { method: string; path: string }[] {
  const root = path.join(__dirname, "..", "app", "api");
  const out: { method: string; path: string }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const rel = path.relative(root, dir).split(path.sep);
        if (rel[0] === "auth") continue; // next-auth: its own CSRF token
        const src = fs.readFileSync(p, "utf8");
        const url = "/api/" + rel.map((s) => (s.startsWith("[") ? "00000000-0000-4000-8000-000000000000" : s)).join("/");
        for (const m of ["POST", "PUT", "PATCH", "DELETE"]) {
          if (new RegExp(`export (async )?function ${m}\\b|export \\{[^}]*\\bas ${m}\\b`).test(src)) out.push({ method: m, path: url });
        }
      }
    }
  };
  walk(root);
  return out;
}

test("every state-changing API route refuses a signed-in request from another origin, and a non-JSON body", async ({ baseURL }) => {
  const routes = stateChangingRoutes();
  expect(routes.length).toBeGreaterThan(40);
  const admin = await makeUser("admin");
  const ctx = await pwRequest.newContext({ baseURL });
  await signInApi(ctx, admin);
  const body = JSON.stringify({ title: "x", name: "x" });
  for (const r of routes) {
    const shapes: Record<string, string>[] = [{ Origin: "http://127.0.0.1:1" }, { Origin: "null" }, { "Sec-Fetch-Site": "same-site" }, {}];
    for (const headers of shapes) {
      const res = await ctx.fetch(r.path, { method: r.method, headers: { ...headers, "Content-Type": "application/json" }, data: body });
      expect(res.status(), `${r.method} ${r.path} ${JSON.stringify(headers)}`).toBe(403);
      expect((await res.json()).error.code).toBe("forbidden");
    }
    const plain = await ctx.fetch(r.path, { method: r.method, headers: { Origin: wardenOrigin(), "Content-Type": "text/plain" }, data: body });
    expect(plain.status(), `${r.method} ${r.path} text/plain`).toBe(415);
  }
  await ctx.dispose();
});

test("bearer-token requests are unaffected by Origin and content type", async ({ baseURL }) => {
  const admin = await makeUser("admin");
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${await makeToken(admin)}` } });
  const title = `bearer-${rid()}`;
  const res = await api.post("/api/v1/incidents", { headers: { Origin: "http://127.0.0.1:1", "Content-Type": "text/plain" }, data: JSON.stringify({ title, severity: "low" }) });
  expect(res.status()).toBe(201);
  expect(await incidentsTitled(title)).toBe(1);
  await api.dispose();
});

test("sign-in never sends the user to another host, whatever `next` says", async ({ page }) => {
  const me = await makeUser("auditor");
  const host = attackerOrigin.replace(/^http:\/\//, "");
  const hostile = [`/\\${host}`, `/%09/${host}`, `/%0a/${host}`, `//${host}`, `\\\\${host}`, `/.//${host}`, `${attackerOrigin}/`, "javascript:alert(document.domain)", `/\t/${host}`];
  for (const next of hostile) {
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel("Email").fill(me.email);
    await page.getByLabel("Password").fill(me.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    expect(new URL(page.url()).origin, `next=${next}`).toBe(wardenOrigin());
    await page.context().clearCookies();
  }
  // A real path is kept.
  await page.goto(`/login?next=${encodeURIComponent("/audit?x=1")}`);
  await page.getByLabel("Email").fill(me.email);
  await page.getByLabel("Password").fill(me.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${wardenOrigin()}/audit?x=1`);
});
