import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { REDACTED } from "@/lib/redact";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST } from "@/app/api/v1/connector/inventory/route";

async function makeGateway() {
  const secret = generateSigningSecret();
  const gateway = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { gateway, secret };
}

async function send(g: { gateway: { id: string }; secret: string }, payload: unknown, opts: { secret?: string } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const res = await POST(
    new Request("http://x/api/v1/connector/inventory", {
      method: "POST",
      headers: { ...signedHeaders(opts.secret ?? g.secret, body), "x-warden-gateway": g.gateway.id, "content-type": "application/json" },
      body,
    }),
  );
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; fieldErrors?: Record<string, string[]> } } };
}

const GH = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
const SK = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEf";

const inventory = (over: Record<string, unknown> = {}) => ({
  agents: [{ id: "main", name: "Support bot", model: "claude-sonnet", fallbackModels: ["gpt-5"], channels: ["slack"], tools: ["web_fetch", "exec"] }],
  tools: [{ name: "web_fetch", kind: "tool", version: "1.0.0", hash: "a".repeat(64), enabled: true }, { name: "exec" }],
  plugins: [{ name: "voice-call", version: "0.3.1", hash: "B".repeat(64) }],
  skills: [{ name: "github", enabled: false }],
  cronJobs: [{ id: "nightly", name: "Nightly digest", enabled: true }],
  channels: [
    { id: "slack", enabled: true, connected: true },
    { id: "whatsapp", enabled: false },
  ],
  config: { bind: "loopback", execMode: "allowlist", gateway: { auth: { token: "super-secret-gateway-token" } }, note: `uses ${GH}` },
  securityAudit: {
    ts: 1767225600000,
    summary: { critical: 1, warn: 1, info: 1 },
    findings: [
      { checkId: "gateway.bind_public", severity: "critical", title: "Gateway bound to 0.0.0.0", detail: `auth with ${SK}`, remediation: "Bind to loopback." },
      { checkId: "fs.world_readable", severity: "warn", title: "State dir is world-readable", detail: "chmod 700 ~/.openclaw" },
      { checkId: "info.version", severity: "info", title: "Version", detail: "2026.1.0" },
    ],
  },
  ...over,
});

describe("POST /api/v1/connector/inventory", () => {
  it("stores the inventory and audit redacted, upserts posture findings and writes one audit event", async () => {
    const g = await makeGateway();
    const res = await send(g, inventory());
    // The two audit checks, plus Warden's own: slack is enabled but no tool call came through it.
    expect(res).toMatchObject({ status: 202, json: { stored: true, findings: 3 } });

    const gw = await db.gateway.findUniqueOrThrow({ where: { id: g.gateway.id } });
    const text = JSON.stringify([gw.inventory, gw.securityAudit]);
    for (const secret of [GH, SK, "super-secret-gateway-token"]) expect(text).not.toContain(secret);
    expect(gw.inventory).toMatchObject({ agents: [{ id: "main", name: "Support bot" }], config: { bind: "loopback", execMode: "allowlist", gateway: { auth: { token: REDACTED } } } });
    expect((gw.inventory as { plugins: { hash: string }[] }).plugins[0].hash).toBe("b".repeat(64));
    expect(gw.inventory).not.toHaveProperty("securityAudit");
    expect(gw.securityAudit).toMatchObject({ summary: { critical: 1, warn: 1, info: 1 } });

    const findings = await db.finding.findMany({ where: { gatewayId: g.gateway.id, kind: "posture" }, orderBy: { severity: "asc" } });
    expect(findings.map((f) => [f.kind, f.severity, f.toolName, (f.detail as { checkId: string }).checkId]).sort()).toEqual([
      ["posture", "critical", null, "gateway.bind_public"],
      ["posture", "low", null, "warden.channel_unused"],
      ["posture", "medium", null, "fs.world_readable"],
    ]);
    expect(JSON.stringify(findings)).not.toContain(SK);

    const audits = await db.auditEvent.findMany({ where: { action: "gateway.inventory", targetId: g.gateway.id } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: "gateway", actorId: g.gateway.id, outcome: "success", targetType: "gateway" });
    expect(audits[0].after).toEqual({
      agents: 1,
      tools: 2,
      plugins: 1,
      skills: 1,
      cronJobs: 1,
      channels: 2,
      mcpServers: 0,
      openclawVersion: null,
      changed: true,
      securityAudit: { critical: 1, warn: 1, info: 1 },
      findings: { created: 3, updated: 0 },
      // The agent is not registered and the plugin has no approved version (the skill is disabled).
      reconciliation: { created: 2, updated: 0, resolved: 0, hashDrift: 0 },
    });
  });

  it("updates posture findings on the next push instead of duplicating them", async () => {
    const g = await makeGateway();
    expect((await send(g, inventory())).status).toBe(202);
    const before = await db.finding.findMany({ where: { gatewayId: g.gateway.id, kind: "posture" } });
    const bind = before.find((f) => (f.detail as { checkId: string }).checkId === "gateway.bind_public")!;
    await db.finding.update({ where: { id: bind.id }, data: { status: "dismissed", dismissReason: "accepted risk" } });

    const second = inventory({
      securityAudit: {
        ts: "2026-01-02T00:00:00Z",
        summary: { critical: 0, warn: 2, info: 0 },
        findings: [
          { checkId: "gateway.bind_public", severity: "warn", title: "Gateway bound to LAN", detail: "now LAN only" },
          { checkId: "exec.full", severity: "warn", title: "Exec mode full", detail: "set exec to allowlist" },
        ],
      },
    });
    expect(await send(g, second)).toMatchObject({ status: 202, json: { stored: true, findings: 3 } });
    const after = await db.finding.findMany({ where: { gatewayId: g.gateway.id, kind: "posture" } });
    expect(after).toHaveLength(4);
    const updated = after.find((f) => f.id === bind.id)!;
    expect(updated).toMatchObject({ severity: "medium", title: "Gateway bound to LAN", status: "dismissed", firstSeenAt: bind.firstSeenAt });
    expect(updated.lastSeenAt.getTime()).toBeGreaterThan(bind.lastSeenAt.getTime());
    expect(updated.detail).toMatchObject({ checkId: "gateway.bind_public", detail: "now LAN only" });
    expect(await db.auditEvent.count({ where: { action: "gateway.inventory", targetId: g.gateway.id } })).toBe(2);
    const last = await db.auditEvent.findFirstOrThrow({ where: { action: "gateway.inventory", targetId: g.gateway.id }, orderBy: { id: "desc" } });
    expect(last.after).toMatchObject({ findings: { created: 1, updated: 2 } });
  });

  it("keeps the previous security audit when a push has none", async () => {
    const g = await makeGateway();
    await send(g, inventory());
    const { securityAudit: _omit, ...withoutAudit } = inventory();
    void _omit;
    expect(await send(g, withoutAudit)).toMatchObject({ status: 202, json: { stored: true, findings: 1 } });
    const gw = await db.gateway.findUniqueOrThrow({ where: { id: g.gateway.id } });
    expect(gw.securityAudit).toMatchObject({ summary: { critical: 1 } });
  });

  it("derives Warden's posture findings from the inventory and updates them on the next push", async () => {
    const g = await makeGateway();
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "ops", purpose: "support", gatewayId: g.gateway.id, externalId: "main" } });
    const { securityAudit: _omit, ...base } = inventory();
    void _omit;
    const payload = (over: Record<string, unknown> = {}) => ({
      ...base,
      agents: [{ id: "main", name: "Support bot", model: "claude-sonnet", tools: ["exec"], execMode: "full" }],
      channels: [],
      config: { bind: "0.0.0.0", execMode: "allowlist" },
      ...over,
    });
    const byCheck = async () => {
      const rows = await db.finding.findMany({ where: { gatewayId: g.gateway.id, kind: "posture" }, orderBy: { firstSeenAt: "asc" } });
      return new Map(
        rows.map((f) => {
          const d = f.detail as { checkId: string; agentExternalId?: string };
          return [`${d.checkId}${d.agentExternalId ? `@${d.agentExternalId}` : ""}`, f];
        }),
      );
    };

    expect(await send(g, payload())).toMatchObject({ status: 202, json: { stored: true, findings: 2 } });
    const first = await byCheck();
    expect([...first.keys()].sort()).toEqual(["warden.bind_beyond_loopback", "warden.exec_unrestricted@main"]);
    expect(first.get("warden.bind_beyond_loopback")).toMatchObject({
      kind: "posture",
      severity: "high",
      status: "open",
      agentId: null,
      toolName: null,
      detail: { source: "warden inventory", evidence: { bind: "0.0.0.0" } },
    });
    const exec = first.get("warden.exec_unrestricted@main")!;
    expect(exec).toMatchObject({
      kind: "posture",
      severity: "high",
      agentId: agent.id,
      detail: { checkId: "warden.exec_unrestricted", agentExternalId: "main", agentName: "Support bot", evidence: { execMode: "full" } },
    });
    await db.finding.update({ where: { id: exec.id }, data: { status: "dismissed", dismissReason: "sandboxed host" } });

    // Same posture plus a second agent with exec full: the two findings are updated, one is added.
    await new Promise((r) => setTimeout(r, 5));
    const agents = [
      { id: "main", name: "Support bot", model: "claude-sonnet", tools: ["exec"], execMode: "full" },
      { id: "ops", name: "Ops", tools: { exec: { security: "full" } } },
    ];
    expect(await send(g, payload({ agents }))).toMatchObject({ status: 202, json: { stored: true, findings: 3 } });
    const second = await byCheck();
    expect([...second.keys()].sort()).toEqual(["warden.bind_beyond_loopback", "warden.exec_unrestricted@main", "warden.exec_unrestricted@ops"]);
    for (const key of ["warden.bind_beyond_loopback", "warden.exec_unrestricted@main"]) {
      const [was, now] = [first.get(key)!, second.get(key)!];
      expect(now.id).toBe(was.id);
      expect(now.firstSeenAt).toEqual(was.firstSeenAt);
      expect(now.lastSeenAt.getTime()).toBeGreaterThan(was.lastSeenAt.getTime());
    }
    expect(second.get("warden.exec_unrestricted@main")).toMatchObject({ status: "dismissed", dismissReason: "sandboxed host" });
    expect(second.get("warden.exec_unrestricted@ops")).toMatchObject({ agentId: null, detail: { agentExternalId: "ops" } });
    const last = await db.auditEvent.findFirstOrThrow({ where: { action: "gateway.inventory", targetId: g.gateway.id }, orderBy: { id: "desc" } });
    expect(last.after).toMatchObject({ findings: { created: 1, updated: 2 } });

    // Bound to loopback now: the bind finding stays but is no longer seen; the others are.
    await new Promise((r) => setTimeout(r, 5));
    expect(await send(g, payload({ agents, config: { bind: "127.0.0.1:18789" } }))).toMatchObject({ status: 202, json: { stored: true, findings: 2 } });
    const third = await byCheck();
    expect(third.size).toBe(3);
    expect(third.get("warden.bind_beyond_loopback")!.lastSeenAt).toEqual(second.get("warden.bind_beyond_loopback")!.lastSeenAt);
    expect(third.get("warden.exec_unrestricted@ops")!.lastSeenAt.getTime()).toBeGreaterThan(second.get("warden.exec_unrestricted@ops")!.lastSeenAt.getTime());
  });

  it("flags enabled channels with no tool calls through them in the last 7 days", async () => {
    const g = await makeGateway();
    const other = await makeGateway();
    const DAY = 86_400_000;
    const call = (gatewayId: string, sessionKey: string, ageMs: number) => ({
      occurredAt: new Date(Date.now() - ageMs),
      gatewayId,
      eventId: `ev-${rid()}`,
      agentName: "main",
      sessionKey,
      toolName: "web_fetch",
      decision: "allowed" as const,
    });
    await db.toolCall.createMany({
      data: [
        call(g.gateway.id, "agent:main:slack:channel:C1", DAY),
        call(g.gateway.id, "agent:main:telegram:group:1", 10 * DAY),
        call(g.gateway.id, "agent:main:pipeline:1", DAY),
        call(other.gateway.id, "agent:main:discord:channel:1", DAY),
      ],
    });
    const { securityAudit: _omit, ...base } = inventory();
    void _omit;
    const channels = ["slack", "telegram", "discord", "line"]
      .map((id) => ({ id, enabled: true, connected: true }))
      .concat([
        { id: "whatsapp", enabled: false, connected: false },
        { id: "signal", enabled: true, connected: false },
      ]);
    expect(await send(g, { ...base, channels })).toMatchObject({ status: 202, json: { stored: true, findings: 4 } });
    const findings = await db.finding.findMany({ where: { gatewayId: g.gateway.id, kind: "posture" } });
    expect(findings.map((f) => [f.severity, (f.detail as { checkId: string; channelId: string }).checkId, (f.detail as { channelId: string }).channelId]).sort()).toEqual(
      ["discord", "line", "signal", "telegram"].map((id) => ["low", "warden.channel_unused", id]),
    );
    expect(findings.find((f) => (f.detail as { channelId: string }).channelId === "signal")!.detail).toMatchObject({ evidence: { reason: "not connected" } });
    expect(findings.find((f) => (f.detail as { channelId: string }).channelId === "telegram")!.detail).toMatchObject({ evidence: { reason: "no tool calls through it in the last 7 days" } });
  });

  it.each([
    ["invalid JSON", "{", null],
    [
      "wrong types",
      { agents: "all", tools: [{ name: 1 }], securityAudit: { ts: 1, summary: { critical: "1" }, findings: [{ checkId: "x", severity: "high" }] } },
      [
        "agents",
        "securityAudit.findings.0.detail",
        "securityAudit.findings.0.severity",
        "securityAudit.findings.0.title",
        "securityAudit.summary.critical",
        "securityAudit.summary.info",
        "securityAudit.summary.warn",
        "tools.0.name",
      ],
    ],
    ["a bad hash", inventory({ tools: [{ name: "x", hash: "nope" }] }), ["tools.0.hash"]],
  ])("refuses %s with 400 invalid and stores nothing", async (_label, payload, fields) => {
    const g = await makeGateway();
    const res = await send(g, payload);
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe("invalid");
    if (fields) expect(Object.keys(res.json.error?.fieldErrors ?? {}).sort()).toEqual(fields);
    const gw = await db.gateway.findUniqueOrThrow({ where: { id: g.gateway.id } });
    expect([gw.inventory, gw.securityAudit]).toEqual([null, null]);
    expect(await db.finding.count({ where: { gatewayId: g.gateway.id, kind: "posture" } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "gateway.inventory", targetId: g.gateway.id } })).toBe(0);
  });

  it("refuses a bad signature (401) and a body over 2 MiB (413) and stores nothing", async () => {
    const g = await makeGateway();
    expect(await send(g, inventory(), { secret: generateSigningSecret() })).toMatchObject({ status: 401, json: { error: { code: "bad_signature" } } });
    const big = inventory({ config: { blob: "x".repeat(2 * 1024 * 1024) } });
    expect(await send(g, big)).toMatchObject({ status: 413, json: { error: { code: "too_large" } } });
    const gw = await db.gateway.findUniqueOrThrow({ where: { id: g.gateway.id } });
    expect(gw.inventory).toBeNull();
    expect(await db.auditEvent.count({ where: { action: "gateway.inventory", targetId: g.gateway.id } })).toBe(0);
  });
});
