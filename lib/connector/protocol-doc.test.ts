// Every example of docs/connector-protocol.md, sent exactly as written through the real signed
// endpoints (request examples), or compared with a real answer (response examples). The e2e spec
// e2e/protocol-examples.spec.ts then renders every page that shows the data they store.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { rid } from "@/test/factories";
import { protocolDocBlocks, protocolRequestExamples } from "@/test/protocol-examples";
import { readSecurityAudit } from "@/lib/gateways/report";
import { generateSigningSecret, signedHeaders } from "./signature";
import { POST as postEvents } from "@/app/api/v1/connector/events/route";
import { POST as postInventory } from "@/app/api/v1/connector/inventory/route";
import { POST as postUsage } from "@/app/api/v1/connector/usage/route";
import { GET as getPolicy } from "@/app/api/v1/connector/policy/route";
import { GET as getCommands } from "@/app/api/v1/connector/commands/route";
import { POST as postTraces } from "@/app/api/v1/otlp/v1/traces/route";
import { POST as postApproval } from "@/app/api/v1/connector/approvals/route";
import { POST as postResolution } from "@/app/api/v1/connector/approvals/[id]/resolution/route";
import { reportApproval, paramsHashOf } from "@/lib/approvals/service";

async function makeGateway() {
  const secret = generateSigningSecret();
  const gateway = await db.gateway.create({ data: { name: `doc-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { id: gateway.id, secret };
}

type Gw = Awaited<ReturnType<typeof makeGateway>>;
const signed = (g: Gw, url: string, method: string, body: string) =>
  new Request(`http://warden.test${url}`, {
    method,
    headers: { ...signedHeaders(g.secret, body), "x-warden-gateway": g.id, "content-type": "application/json" },
    ...(method === "GET" ? {} : { body }),
  });

/** Send a documented request body, byte for byte, to its endpoint. */
async function send(g: Gw, method: string, path: string, body: string): Promise<Response> {
  if (method === "POST" && path === "/api/v1/connector/events") return postEvents(signed(g, path, method, body));
  if (method === "POST" && path === "/api/v1/connector/inventory") return postInventory(signed(g, path, method, body));
  if (method === "POST" && path === "/api/v1/connector/usage") return postUsage(signed(g, path, method, body));
  if (method === "POST" && path === "/api/v1/connector/approvals") return postApproval(signed(g, path, method, body));
  if (method === "POST" && path === "/api/v1/connector/approvals/{id}/resolution") {
    // The documented resolution of an approval this gateway reported (made once per gateway).
    const params = { command: "ls" };
    const { id } = await reportApproval({ kind: "gateway", label: "doc", role: null, ip: null, userAgent: null, gatewayId: g.id }, g.id, {
      requestId: "6a0e1f7c-3b2d-4e8f-9a1b-2c3d4e5f6a7b",
      toolCallId: "doc-call",
      agentId: "main",
      toolName: "exec",
      params,
      paramsHash: paramsHashOf(params),
      reason: "doc",
      timeoutMs: 60_000,
    });
    const url = path.replace("{id}", id);
    return postResolution(signed(g, url, method, body), { params: Promise.resolve({ id }) });
  }
  if (method === "POST" && path === "/api/v1/otlp/v1/traces") {
    return postTraces(new Request(`http://warden.test${path}`, { method, headers: { authorization: `Bearer ${g.id}.${g.secret}`, "content-type": "application/json" }, body }));
  }
  throw new Error(`no route for the documented ${method} ${path}: add it to this test`);
}

const keys = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v).sort() : []);

describe("docs/connector-protocol.md examples", () => {
  const blocks = protocolDocBlocks();

  it("every code block is annotated, and every JSON example parses", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    for (const b of blocks) {
      expect(b.role, `docs/connector-protocol.md:${b.line} has no <!-- example … --> comment`).not.toBeNull();
      if (b.lang === "json" || b.role === "request") expect(() => JSON.parse((b as { json?: string }).json ?? ""), `line ${b.line}`).not.toThrow();
    }
    // Each endpoint with a request example is covered; a new one fails in send() until it is.
    expect(
      protocolRequestExamples()
        .map((e) => `${e.method} ${e.path}`)
        .sort(),
    ).toEqual([
      "POST /api/v1/connector/approvals",
      "POST /api/v1/connector/approvals/{id}/resolution",
      "POST /api/v1/connector/events",
      "POST /api/v1/connector/inventory",
      "POST /api/v1/connector/usage",
      "POST /api/v1/otlp/v1/traces",
    ]);
  });

  it.each(protocolRequestExamples().map((e) => [`${e.method} ${e.path} (line ${e.line})`, e] as const))("request %s is accepted with the documented status", async (_name, e) => {
    const g = await makeGateway();
    const res = await send(g, e.method, e.path, e.json);
    expect(res.status, await res.clone().text()).toBe(e.status);
    // The documented response of the same endpoint has the same fields as the real one.
    const doc = blocks.find((b) => b.role === "response" && "path" in b && b.path === e.path && b.method === e.method) as { json?: string } | undefined;
    const real = await res.json();
    if (doc?.json) expect(keys(real)).toEqual(expect.arrayContaining(keys(JSON.parse(doc.json)).filter((k) => k !== "partialSuccess")));
    if (e.path === "/api/v1/connector/inventory") {
      // What the example stores reads back for display (securityAudit.ts is a number there).
      const stored = await db.gateway.findUniqueOrThrow({ where: { id: g.id }, select: { securityAudit: true } });
      const audit = readSecurityAudit(stored.securityAudit);
      expect(audit?.ranAt?.toISOString()).toBe(new Date(JSON.parse(e.json).securityAudit.ts).toISOString());
      expect(audit?.findings.map((f) => f.checkId)).toEqual(JSON.parse(e.json).securityAudit.findings.map((f: { checkId: string }) => f.checkId));
    }
    if (e.path === "/api/v1/connector/usage") {
      // Priced as documented: the first call from the price table, the second by the gateway.
      const rows = await db.modelCall.findMany({ where: { gatewayId: g.id }, orderBy: { eventId: "asc" } });
      expect(rows.map((r) => [r.costSource, r.costUsd?.toFixed() ?? null])).toEqual([
        ["price_table", "0.0642"],
        ["gateway", "0.000609"],
      ]);
    }
    // Sending it again is idempotent and still answers the documented status.
    const again = await send(g, e.method, e.path, e.json);
    // A repeated approval report answers the stored request with 200 (201 is for the first).
    expect(again.status).toBe(e.path === "/api/v1/connector/approvals" ? 200 : e.status);
  });

  it("the documented answers of the policy, commands and error formats match real ones", async () => {
    const g = await makeGateway();
    const doc = (path: string) => JSON.parse((blocks.find((b) => b.role === "response" && "path" in b && b.path === path) as { json: string }).json);
    const policy = await (await getPolicy(signed(g, "/api/v1/connector/policy", "GET", ""))).json();
    const documented = doc("/api/v1/connector/policy");
    expect(keys(policy)).toEqual(keys(documented));
    expect(keys(policy.policy)).toEqual(keys(documented.policy));
    const commands = await (await getCommands(signed(g, "/api/v1/connector/commands?wait=0", "GET", ""))).json();
    expect(keys(commands)).toEqual(keys(doc("/api/v1/connector/commands")));
    const error = blocks.find((b) => b.role === "response" && !("path" in b && b.path)) as { json: string };
    const stale = await postEvents(
      new Request("http://warden.test/api/v1/connector/events", {
        method: "POST",
        headers: { ...signedHeaders(g.secret, "{}", { timestamp: 1 }), "x-warden-gateway": g.id, "content-type": "application/json" },
        body: "{}",
      }),
    );
    const body = await stale.json();
    expect(keys(body)).toEqual(keys(JSON.parse(error.json)));
    expect(keys(body.error)).toEqual(expect.arrayContaining(keys(JSON.parse(error.json).error)));
  });
});
