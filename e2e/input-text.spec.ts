import fs from "node:fs";
import path from "node:path";
import { callAction, expect, makeToken, makeUser, signInApi, sql, test } from "./fixtures";

// NUL bytes and lone surrogates, sent to the real server: every API route found on disk (so a new
// route is covered without editing this spec) answers 4xx, never 500, and nothing is audited as done.

const API = path.join(__dirname, "..", "app", "api");
function routes(): { url: string; methods: string[]; dynamic: boolean }[] {
  const out: { url: string; methods: string[]; dynamic: boolean }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts" && !p.includes("[...nextauth]")) {
        const src = fs.readFileSync(p, "utf8");
        const rel = "/api/" + path.relative(API, dir).split(path.sep).join("/");
        out.push({
          url: rel.replace(/\[[^\]]+\]/g, "00000000-0000-4000-8000-000000000000"),
          methods: ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => new RegExp(`export (async )?function ${m}\\b`).test(src)),
          dynamic: rel.includes("["),
        });
      }
    }
  };
  walk(API);
  return out;
}
const ROUTES = routes();
// The evidence verifier reads an uploaded archive (not JSON) and changes nothing.
const NOT_JSON = new Set(["/api/v1/evidence/verify"]);
const NUL_QUERY = ["q=a%00b", "status=%00", "x%00=1"];
// Next's server decodes a query that is not UTF-8 with U+FFFD replacements (storable text) before
// any code of ours sees it; such input must simply never cost a 500.
const SURROGATE_QUERY = ["q=%ED%A0%80", "agent=x%ED%B0%80"];
const BAD_BODY = [String.raw`{"name":"a\u0000b","reason":"a\u0000b reason","title":"x"}`, String.raw`{"name":"a\ud800b","reason":"\udc00 reason","title":"x"}`, String.raw`{"re\u0000ason":"x"}`];

test("every API route refuses a NUL in the query or the path with a 400; encoded lone surrogates never cost a 500", async ({ request }) => {
  // Hundreds of requests over every route: a loaded CI machine needs more than the default minute.
  test.setTimeout(300_000);
  const admin = await makeUser("admin");
  const headers = { authorization: `Bearer ${await makeToken(admin)}` };
  expect(ROUTES.length).toBeGreaterThan(60);
  for (const r of ROUTES) {
    for (const method of r.methods) {
      const data = method === "GET" ? undefined : "{}";
      for (const q of NUL_QUERY) {
        const res = await request.fetch(`${r.url}?${q}`, { method, headers, data });
        expect(res.status(), `${method} ${r.url}?${q}`).toBe(400);
        expect((await res.json()).error.fieldErrors, `${method} ${r.url}?${q}`).toBeTruthy();
      }
      for (const q of SURROGATE_QUERY) {
        const res = await request.fetch(`${r.url}?${q}`, { method, headers, data });
        expect(res.status(), `${method} ${r.url}?${q}`).toBeLessThan(500);
      }
      if (r.dynamic) {
        const nul = r.url.replace("00000000-0000-4000-8000-000000000000", "x%00y");
        expect((await request.fetch(nul, { method, headers, data })).status(), `${method} ${nul}`).toBe(400);
        const sur = r.url.replace("00000000-0000-4000-8000-000000000000", "x%ED%A0%80y");
        expect((await request.fetch(sur, { method, headers, data })).status(), `${method} ${sur}`).toBeLessThan(500);
      }
    }
  }
});

test("every mutation route refuses NUL and lone surrogates in JSON bodies with a 4xx and changes nothing", async ({ request }) => {
  test.setTimeout(300_000);
  const admin = await makeUser("admin");
  const headers = { authorization: `Bearer ${await makeToken(admin)}`, "content-type": "application/json" };
  // Successful changes by this admin (the evidence verifier's own audit of each verification aside).
  const changes = async () =>
    (await sql().query("select count(*)::int as n from audit_events where actor_id = $1 and outcome::text = 'success' and action not like 'evidence.%'", [admin.id])).rows[0].n as number;
  const before = await changes();
  for (const r of ROUTES) {
    for (const method of r.methods.filter((m) => m !== "GET")) {
      for (const body of BAD_BODY) {
        const res = await request.fetch(r.url, { method, headers, data: body });
        if (!NOT_JSON.has(r.url)) expect(res.status(), `${method} ${r.url} ${body}`).toBeGreaterThanOrEqual(400);
        expect(res.status(), `${method} ${r.url} ${body}`).toBeLessThan(500);
      }
    }
  }
  expect(await changes()).toBe(before);
  // A list endpoint names the parameter; a body names the field.
  const list = await request.get("/api/v1/tools?q=a%00", { headers });
  expect((await list.json()).error.fieldErrors).toEqual({ q: ["contains a NUL byte"] });
  const created = await request.post("/api/v1/agents", { headers, data: String.raw`{"name":"ok","owner":"o\u0000","purpose":"p"}` });
  expect(created.status()).toBe(400);
  expect((await created.json()).error.fieldErrors).toEqual({ owner: ["contains a NUL byte"] });
});

test("pages refuse such URLs too, and server actions such input", async ({ request }) => {
  const admin = await makeUser("admin");
  await signInApi(request, admin);
  for (const url of ["/agents?q=%00", "/tools?q=a%00", "/audit?actor=a%00", "/agents/x%00y"]) {
    const res = await request.get(url, { maxRedirects: 0 });
    expect(res.status(), url).toBe(400);
  }
  for (const url of ["/tools?q=%ED%A0%80", "/agents?q=%ED%B0%80"]) expect((await request.get(url, { maxRedirects: 0 })).status(), url).toBeLessThan(500);
  const other = await makeUser("operator");
  const res = await callAction(request, "setUserDisabled", { id: other.id, disabled: true, note: "\ud800" });
  expect(res.result).toMatchObject({ ok: false, status: 400, fieldErrors: { note: ["contains a lone surrogate (not valid Unicode)"] } });
  const res2 = await callAction(request, "setUserDisabled", { id: `${other.id}\u0000`, disabled: true });
  expect(res2.result).toMatchObject({ ok: false, status: 400 });
});
