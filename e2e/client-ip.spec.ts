import { randomInt } from "node:crypto";
import http from "node:http";
import { expect, makeToken, makeUser, rid, sql, test } from "./fixtures";

// Requests sent from a loopback source address of our own (127.x.y.z): the sign-in limit then
// counts only this spec's failures, and the audit trail must show exactly this address.
const source = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;

type Res = { status: number; headers: http.IncomingHttpHeaders; body: string };

function send(baseURL: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Res> {
  const url = new URL(path, baseURL);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: source, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** One credentials sign-in through next-auth over HTTP, from `source`, with extra headers. */
async function signInOnce(baseURL: string, email: string, password: string, extra: Record<string, string>) {
  const csrf = await send(baseURL, "GET", "/api/auth/csrf", extra);
  const cookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const form = new URLSearchParams({ csrfToken, email, password, json: "true" }).toString();
  return send(baseURL, "POST", "/api/auth/callback/credentials", { ...extra, cookie, "content-type": "application/x-www-form-urlencoded" }, form);
}

test("the audit trail and the sign-in limit use the socket address, not X-Forwarded-For", async ({ baseURL }) => {
  const tag = `xff-${rid()}`;
  // 25 failed sign-ins to different accounts (so only the per-IP limit applies), each with a new
  // forged X-Forwarded-For and X-Real-IP.
  for (let i = 0; i < 25; i++) {
    await signInOnce(baseURL!, `${tag}-${i}@e2e.local`, "wrong-password-123", { "x-forwarded-for": `203.0.113.${i + 1}`, "x-real-ip": `198.51.100.${i + 1}` });
  }
  const rows = await sql().query<{ ip: string | null; outcome: string; n: number }>(
    "select ip, outcome::text as outcome, count(*)::int as n from audit_events where action = 'auth.login' and target_id like $1 group by ip, outcome order by outcome",
    [`${tag}-%`],
  );
  // The limit (20 failures per address in 15 minutes) held: the last 5 were refused unchecked.
  expect(rows.rows).toEqual([
    { ip: source, outcome: "denied", n: 5 },
    { ip: source, outcome: "failure", n: 20 },
  ]);

  // An API change made with a token records the socket address too.
  const admin = await makeUser("admin");
  const title = `xff-incident-${rid()}`;
  const res = await send(
    baseURL!,
    "POST",
    "/api/v1/incidents",
    { authorization: `Bearer ${await makeToken(admin)}`, "content-type": "application/json", "x-forwarded-for": "203.0.113.250" },
    JSON.stringify({ title, severity: "low" }),
  );
  expect(res.status).toBe(201);
  const created = JSON.parse(res.body).data as { id: string };
  const audit = await sql().query("select ip from audit_events where target_id = $1 and action like 'incident.%'", [created.id]);
  expect(audit.rows.length).toBeGreaterThan(0);
  for (const r of audit.rows) expect(r.ip).toBe(source);
});
