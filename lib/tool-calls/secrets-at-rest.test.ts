/**
 * One realistic sample of every credential rule (secretlint's recommended preset and Warden's own
 * rules), pushed through the real signed connector endpoint and OTLP, nested in JSON, inside
 * longer strings, in URLs and in header-like text: none of any secret may reach the database (any
 * table, any column), the explorer's read path, the JSON and CSV exports, the evidence bundle or
 * the logs written meanwhile.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { CONTEXTS, leaks, secretlintSamples, wardenSamples, type Sample } from "@/test/secret-samples";
import { makeUser, rid } from "@/test/factories";
import { saveExport, unpackTarGz } from "@/test/bundles";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-secrets-"));
process.env.WARDEN_DATA_DIR = dataDir;

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const { db } = await import("@/lib/db");
const { seal } = await import("@/lib/crypto");
const { REDACTED } = await import("@/lib/redact");
const { generateSigningSecret, signedHeaders } = await import("@/lib/connector/signature");
const { POST: postEvents } = await import("@/app/api/v1/connector/events/route");
const { POST: postTraces } = await import("@/app/api/v1/otlp/v1/traces/route");
const { GET: getToolCalls } = await import("@/app/api/v1/tool-calls/route");
const { getToolCall, listRecentAgentNames, listRecentToolNames, listToolCalls, parseToolCallQuery } = await import("@/lib/tool-calls/queries");
const { startEvidenceExport, waitForExport } = await import("@/lib/evidence/service");
const { ZEvidenceExport } = await import("@/lib/evidence/schema");

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const SAMPLES: Sample[] = [...secretlintSamples(), ...wardenSamples()];
const ctx = (name: string) => CONTEXTS.find(([n]) => n === name)![1];

/** Every place of a tool call a gateway fills with free data, each holding the sample somehow. */
function eventFor(s: Sample, i: number) {
  return {
    eventId: `evt-${rid()}`,
    occurredAt: new Date(Date.now() - 60_000 - i * 1000).toISOString(),
    agentName: "secrets-bot",
    toolName: "http_request",
    decision: i % 2 ? "blocked" : "allowed",
    sessionKey: `agent:main:${s.text}`.slice(0, 500),
    params: {
      url: ctx("url-query")(s.text),
      body: { nested: [{ deep: { value: s.text } }], note: ctx("sentence")(s.text) },
      headers: ctx("x-api-key")(s.text),
      raw: ctx("json")(s.text),
    },
    result: { stdout: `${ctx("authorization")(s.text)}\n${ctx("cookie")(s.text)}\n${ctx("password=")(s.text)}`, env: ctx("env")(s.text) },
    error: `request failed: ${ctx("url-userinfo")(s.text)}`.slice(0, 4000),
    ...(i % 2 ? { blockReason: `blocked: ${ctx("sentence")(s.text)}`.slice(0, 4000) } : {}),
    durationMs: 42,
  };
}

function otlpSpan(s: Sample, i: number) {
  const start = Date.now() - 120_000 - i * 1000;
  const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return {
    traceId: rid() + rid() + rid().slice(0, 12),
    spanId: rid() + rid().slice(0, 6),
    name: "execute_tool http_request",
    kind: 1,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(start + 100),
    attributes: [
      str("gen_ai.operation.name", "execute_tool"),
      str("gen_ai.tool.name", "http_request"),
      str("gen_ai.tool.call.id", `call_${rid()}`),
      str("gen_ai.tool.call.arguments", JSON.stringify({ url: ctx("url-query")(s.text), headers: ctx("x-api-key")(s.text), nested: [{ v: s.text }] })),
      str("gen_ai.tool.call.result", `${ctx("authorization")(s.text)}\n${ctx("cookie")(s.text)}`),
      str("gen_ai.agent.id", "main"),
      str("gen_ai.agent.name", "secrets-bot"),
      str("gen_ai.conversation.id", `conv_${s.text}`.slice(0, 400)),
    ],
    status: { code: 2, message: `failed: ${ctx("password=")(s.text)}`.slice(0, 4000) },
  };
}

/** What a secret may not reach: every text, named for the failure message. */
const surfaces: { where: string; text: string }[] = [];
let gatewayId = "";
let stored = 0;

beforeAll(async () => {
  // Everything written to the console while the secrets are ingested and exported.
  const logged: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    }),
  );
  try {
    const secret = generateSigningSecret();
    const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
    gatewayId = gateway.id;

    const body = JSON.stringify({ events: SAMPLES.map(eventFor) });
    const res = await postEvents(
      new Request("http://x/api/v1/connector/events", {
        method: "POST",
        headers: { ...signedHeaders(secret, body), "x-warden-gateway": gateway.id, "content-type": "application/json" },
        body,
      }),
    );
    const answer = await res.text();
    surfaces.push({ where: "connector answer", text: answer });
    expect(res.status, answer).toBe(202);
    expect(JSON.parse(answer)).toMatchObject({ accepted: SAMPLES.length, rejected: [] });

    const traces = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: "test" }, spans: SAMPLES.map(otlpSpan) }] }] });
    const otlp = await postTraces(
      new Request("http://x/api/v1/otlp/v1/traces", {
        method: "POST",
        headers: { authorization: `Bearer ${gateway.id}.${secret}`, "content-type": "application/json" },
        body: traces,
      }),
    );
    const otlpAnswer = await otlp.text();
    surfaces.push({ where: "otlp answer", text: otlpAnswer });
    expect(otlp.status, otlpAnswer).toBe(200);
    stored = await db.toolCall.count({ where: { gatewayId } });

    // The database: every row of every table, as text, read as the owner (who sees every table,
    // the migration ledger included; the app role may not).
    const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
    await owner.connect();
    try {
      const tables = (await owner.query<{ name: string }>("select quote_ident(tablename) as name from pg_tables where schemaname = 'public'")).rows;
      expect(tables.length).toBeGreaterThan(20);
      for (const { name } of tables) {
        const rows = (await owner.query<{ t: string }>(`select t::text as t from ${name} t`)).rows;
        surfaces.push({ where: `table ${name}`, text: rows.map((r) => r.t).join("\n") });
      }
    } finally {
      await owner.end();
    }

    // The explorer's read path (the page's queries) and the API, JSON and CSV.
    const { user, actor } = await makeUser("admin");
    void user;
    session.actor = actor;
    const { query } = parseToolCallQuery({ gateway: gatewayId, range: "24h", pageSize: "200" });
    const page = await listToolCalls(query, { withParams: true });
    surfaces.push({ where: "explorer list", text: JSON.stringify(page) });
    const details = await Promise.all(page.rows.map((r) => getToolCall(r.id, r.occurredAt, { withParams: true })));
    surfaces.push({ where: "explorer detail", text: JSON.stringify(details) });
    surfaces.push({ where: "explorer filters", text: JSON.stringify([await listRecentAgentNames(), await listRecentToolNames()]) });
    const api = await getToolCalls(new Request(`http://x/api/v1/tool-calls?gateway=${gatewayId}&range=24h&pageSize=200`));
    surfaces.push({ where: "API JSON", text: await api.text() });
    const csv = await getToolCalls(new Request(`http://x/api/v1/tool-calls?gateway=${gatewayId}&range=24h&format=csv`));
    const csvText = await csv.text();
    expect(csv.status).toBe(200);
    surfaces.push({ where: "CSV export", text: csvText });

    // The evidence bundle: every member.
    const now = Date.now();
    const { id } = await startEvidenceExport(actor, ZEvidenceExport.parse({ from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 60_000).toISOString(), gatewayIds: [gatewayId] }));
    const status = await waitForExport(id);
    expect(status.state, status.error ?? "").toBe("done");
    const members = (await unpackTarGz(await saveExport(id, path.join(dataDir, `${id}.tar.gz`)))).map((m) => ({ path: m.path, text: m.content.toString("utf8") }));
    expect(members.some((m) => m.path.endsWith("tool_calls.jsonl"))).toBe(true);
    for (const m of members) surfaces.push({ where: `evidence ${m.path}`, text: m.text });
  } finally {
    for (const s of spies) s.mockRestore();
  }
  surfaces.push({ where: "logs", text: logged.join("\n") });
}, 120_000);

describe("no credential reaches storage or any read path", () => {
  it("stored every call, redacted", () => {
    expect(stored).toBe(SAMPLES.length * 2);
    const table = surfaces.find((s) => s.where === "table tool_calls")!.text;
    expect(table).toContain(REDACTED);
    // The explorer and the exports did show the calls (an empty surface would prove nothing).
    for (const where of ["explorer list", "API JSON", "CSV export", "evidence tool_calls/tool_calls.jsonl", "evidence tool_calls/tool_calls.csv"]) {
      expect(surfaces.find((s) => s.where === where)?.text ?? "", where).toContain("http_request");
    }
  });

  it.each(SAMPLES.map((s) => [s.name, s] as const))("%s appears nowhere", (_name, s) => {
    for (const { where, text } of surfaces) {
      const at = leaks(text, s.secret)
        ? text
            .split("\n")
            .find((l) => leaks(l, s.secret))
            ?.slice(0, 600)
        : "";
      expect(leaks(text, s.secret), `${where} holds part of the secret: ${at}`).toBe(false);
    }
  });
});
