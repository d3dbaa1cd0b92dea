import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { execute } from "@/lib/action";
import { REDACTED } from "@/lib/redact";
import { makeUser, rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST } from "@/app/api/v1/connector/inventory/route";
import { dismissFinding } from "@/lib/findings/compute";
import { createAgent } from "@/lib/agents/service";
import { ZAgentCreate } from "@/lib/agents/schema";
import { evaluatePlaybookTriggers } from "@/lib/playbooks/triggers";
import { createAdvisoryAction, deleteAdvisoryAction } from "@/lib/advisories/actions";
import { INVENTORY_HISTORY_KEEP, listInventoryHistory } from "./inventory-history";
import { diffInventories } from "./inventory-diff";
import { versionAffected } from "./reconcile";

const H = (c: string) => c.repeat(64);

async function gateway() {
  const secret = generateSigningSecret();
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret) } });
  return { gw, secret };
}

async function push(g: { gw: { id: string }; secret: string }, payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await POST(
    new Request("http://x/api/v1/connector/inventory", {
      method: "POST",
      headers: { ...signedHeaders(g.secret, body), "x-warden-gateway": g.gw.id, "content-type": "application/json" },
      body,
    }),
  );
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; fieldErrors?: Record<string, string[]> } } };
}

/** A registry tool of this kind with one version per hash, each approved by a trust decision. */
async function approvedTool(kind: "skill" | "plugin" | "mcp_server" | "tool", name: string, hashes: string[]) {
  const { user } = await makeUser("security_lead");
  const tool = await db.tool.create({ data: { name, kind, source: "clawhub", publisher: "acme" } });
  for (const [i, h] of hashes.entries()) await approveVersion(tool.id, `1.0.${i}`, h, user.id);
  return tool;
}
async function approveVersion(toolId: string, version: string, hash: string, deciderId?: string) {
  const decider = deciderId ?? (await makeUser("security_lead")).user.id;
  const v = await db.toolVersion.create({ data: { toolId, version, contentHash: hash } });
  await db.trustDecision.create({ data: { toolVersionId: v.id, deciderId: decider, outcome: "approve", checklist: {}, reason: "reviewed" } });
}

const findingsOf = (gatewayId: string, kind: "unapproved_item" | "hash_drift" | "unregistered_agent" | "posture_drift" | "advisory") =>
  db.finding.findMany({ where: { gatewayId, kind }, orderBy: { firstSeenAt: "asc" } });
const detailOf = (f: { detail: unknown }) => f.detail as Record<string, unknown>;

const base = (over: Record<string, unknown> = {}) => ({ agents: [], tools: [], ...over });

describe("inventory reconciliation: unapproved items", () => {
  it("flags an enabled skill, plugin or MCP server without an approved version, once, links to the fix, keeps a dismissal, resolves when removed", async () => {
    const g = await gateway();
    const skill = `skill-${rid()}`;
    const plugin = `plugin-${rid()}`;
    const mcp = `mcp-${rid()}`;
    const ok = `ok-${rid()}`;
    await approvedTool("skill", ok, [H("a")]);
    const inv = base({
      skills: [
        { name: skill, hash: H("1"), version: "0.1.0" },
        { name: ok, hash: H("a") },
        { name: `off-${rid()}`, enabled: false },
      ],
      plugins: [{ name: plugin, version: "2.0.0" }],
      mcpServers: [{ name: mcp, transport: "stdio", command: "node", args: ["server.js"] }],
    });
    expect((await push(g, inv)).status).toBe(202);
    const first = await findingsOf(g.gw.id, "unapproved_item");
    expect(first.map((f) => f.toolName).sort()).toEqual([mcp, plugin, skill].sort());
    const s = first.find((f) => f.toolName === skill)!;
    expect(s).toMatchObject({ status: "open", severity: "high" });
    expect(detailOf(s)).toMatchObject({ source: "inventory", itemKind: "skill", registryStatus: "not_in_registry", seenHash: H("1"), fixLabel: "Request a review" });
    expect(String(detailOf(s).fixUrl)).toBe(`/tools/requests/new?name=${skill}&kind=skill&version=0.1.0&hash=${H("1")}`);

    // Re-push: the same findings, updated (not duplicated).
    const again = await push(g, inv);
    expect(again.json.reconciliation).toMatchObject({ created: 0, updated: 3, resolved: 0 });
    expect(await findingsOf(g.gw.id, "unapproved_item")).toHaveLength(3);

    // Dismissed stays dismissed on the same build; another build of it opens a new finding.
    const { actor } = await makeUser("security_lead");
    await dismissFinding(actor, { id: s.id, reason: "Known, being reviewed" });
    await push(g, inv);
    expect((await db.finding.findUniqueOrThrow({ where: { id: s.id } })).status).toBe("dismissed");
    expect((await findingsOf(g.gw.id, "unapproved_item")).filter((f) => f.toolName === skill)).toHaveLength(1);
    await push(g, { ...inv, skills: [{ name: skill, hash: H("2") }], plugins: [] });
    const afterChange = await findingsOf(g.gw.id, "unapproved_item");
    expect(afterChange.filter((f) => f.toolName === skill).map((f) => f.status)).toEqual(["dismissed", "open"]);
    // The plugin was removed: its finding is resolved with a note.
    const p = afterChange.find((f) => f.toolName === plugin)!;
    expect(p.status).toBe("resolved");
    expect(detailOf(p).resolvedNote).toMatch(/removed/);

    // Approving the MCP server resolves its finding at the next push.
    const tool = await db.tool.create({ data: { name: mcp, kind: "mcp_server", source: "internal", publisher: "acme" } });
    await approveVersion(tool.id, "1.0.0", H("c"));
    await push(g, { ...inv, skills: [{ name: skill, hash: H("2") }], plugins: [] });
    const m = (await findingsOf(g.gw.id, "unapproved_item")).find((f) => f.toolName === mcp)!;
    expect(m.status).toBe("resolved");
    expect(detailOf(m).resolvedNote).toMatch(/Approved/);
  });
});

describe("inventory reconciliation: what ships with OpenClaw", () => {
  it("a bundled skill or plugin (part of the build) raises no finding of its own; one the registry approved still drifts; a workspace skill of the same shape is flagged", async () => {
    const g = await gateway();
    const bundledSkill = `bundled-${rid()}`;
    const bundledPlugin = `bplugin-${rid()}`;
    const pinned = `pinned-${rid()}`;
    const workspace = `ws-${rid()}`;
    await approvedTool("skill", pinned, [H("a")]);
    const inv = base({
      skills: [
        { name: bundledSkill, source: "openclaw-bundled", hash: H("1"), bundled: true },
        { name: pinned, source: "openclaw-bundled", hash: H("2"), bundled: true },
        { name: workspace, source: "openclaw-workspace", hash: H("3") },
      ],
      plugins: [{ name: bundledPlugin, source: "bundled", version: "2026.9.6", bundled: true }],
    });
    expect((await push(g, inv)).status).toBe(202);
    expect((await findingsOf(g.gw.id, "unapproved_item")).map((f) => f.toolName)).toEqual([workspace]);
    expect((await findingsOf(g.gw.id, "hash_drift")).map((f) => f.toolName)).toEqual([pinned]);
  });
});

describe("inventory reconciliation under concurrency", () => {
  it("two pushes at once (two replicas) create each finding and snapshot once", async () => {
    const g = await gateway();
    const inv = base({ openclaw: { version: "2026.9.6" }, agents: [{ id: "main", name: "Main" }], skills: [{ name: `s-${rid()}`, hash: H("d") }] });
    const results = await Promise.all([push(g, inv), push(g, inv), push(g, inv)]);
    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(await findingsOf(g.gw.id, "unapproved_item")).toHaveLength(1);
    expect(await findingsOf(g.gw.id, "unregistered_agent")).toHaveLength(1);
    const snaps = await db.gatewayInventorySnapshot.findMany({ where: { gatewayId: g.gw.id } });
    expect(snaps).toHaveLength(1);
    expect(snaps[0].reports).toBe(3);
  });
});

describe("inventory reconciliation: hash drift", () => {
  it("raises hash drift (source inventory) when an approved item's hash differs, fires the hash_drift playbook, resolves when the hash is approved", async () => {
    const g = await gateway();
    const name = `skill-${rid()}`;
    const tool = await approvedTool("skill", name, [H("a")]);
    // The approved build: nothing to report.
    await push(g, base({ skills: [{ name, hash: H("a") }] }));
    expect(await findingsOf(g.gw.id, "hash_drift")).toHaveLength(0);
    expect(await findingsOf(g.gw.id, "unapproved_item")).toHaveLength(0);

    const playbook = await db.playbook.create({
      data: { name: `pb-${rid()}`, trigger: "hash_drift", triggerConfig: { toolName: name }, steps: { create: [{ phase: "detection", position: 1, title: "Look" }] } },
    });
    await push(g, base({ skills: [{ name, hash: H("b"), agents: ["main"] }] }));
    await push(g, base({ skills: [{ name, hash: H("b"), agents: ["main"] }] }));
    // The push wakes the hash-drift playbooks at once (the minute tick would too): the playbook fires
    // from the inventory finding, which has no agent, and hands the finding to its incident.
    let incidents: { findingId: string | null; dedupeKey: string | null }[] = [];
    for (let i = 0; i < 50 && incidents.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      incidents = await db.incident.findMany({ where: { playbookId: playbook.id }, select: { findingId: true, dedupeKey: true } });
    }
    const drift = await findingsOf(g.gw.id, "hash_drift");
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ status: "incident", severity: "critical", toolName: name, agentId: null });
    expect(detailOf(drift[0])).toMatchObject({ source: "inventory", itemKind: "skill", seenHash: H("b"), approvedHashes: [H("a")], fixUrl: `/tools/${tool.id}` });
    expect(incidents).toEqual([{ findingId: drift[0].id, dedupeKey: `playbook:${playbook.id}:finding:${drift[0].id}` }]);
    // The scheduler's tick finds nothing more to do, and another push does not open a second incident.
    expect((await evaluatePlaybookTriggers({ playbookIds: [playbook.id] })).fired).toEqual([]);
    await push(g, base({ skills: [{ name, hash: H("b"), agents: ["main"] }] }));
    expect(await findingsOf(g.gw.id, "hash_drift")).toHaveLength(1);
    expect(await db.incident.count({ where: { playbookId: playbook.id } })).toBe(1);

    // On another item (no playbook follows it): approving the new build resolves its open drift finding.
    const g2 = await gateway();
    const name2 = `plugin-${rid()}`;
    const tool2 = await approvedTool("plugin", name2, [H("a")]);
    await push(g2, base({ plugins: [{ name: name2, hash: H("b") }] }));
    expect((await findingsOf(g2.gw.id, "hash_drift")).map((f) => f.status)).toEqual(["open"]);
    await approveVersion(tool2.id, "1.1.0", H("b"));
    await push(g2, base({ plugins: [{ name: name2, hash: H("b") }] }));
    const [resolved] = await findingsOf(g2.gw.id, "hash_drift");
    expect(resolved.status).toBe("resolved");
    expect(detailOf(resolved).resolvedNote).toMatch(/now approved/);
  });
});

describe("inventory reconciliation: agents", () => {
  it("flags an agent the registry does not know, with a register-it link; registering it resolves the finding", async () => {
    const g = await gateway();
    const inv = base({ agents: [{ id: "ops", name: "Ops bot", model: "openai/gpt-5", fallbackModels: ["openai/gpt-5-mini"], execMode: "allowlist", canDelegate: false, workspaceOnly: true }] });
    await push(g, inv);
    await push(g, inv);
    const [f] = await findingsOf(g.gw.id, "unregistered_agent");
    expect((await findingsOf(g.gw.id, "unregistered_agent")).length).toBe(1);
    expect(f.status).toBe("open");
    expect(detailOf(f)).toMatchObject({ externalId: "ops", name: "Ops bot", model: "openai/gpt-5", fixLabel: "Register it", fixUrl: `/agents/new?gateway=${g.gw.id}&agent=ops` });

    const { actor } = await makeUser("security_lead");
    const agent = await createAgent(
      actor,
      ZAgentCreate.parse({
        name: `ops-${rid()}`,
        owner: "ops",
        purpose: "ops",
        gatewayId: g.gw.id,
        externalId: "ops",
        model: "openai/gpt-5",
        fallbackModels: ["openai/gpt-5-mini"],
        posture: { execMode: "allowlist", canDelegate: false, fsWorkspaceOnly: true },
      }),
    );
    const after = await db.finding.findUniqueOrThrow({ where: { id: f.id } });
    expect(after).toMatchObject({ status: "resolved", agentId: agent.id });
    expect(detailOf(after).resolvedNote).toMatch(/Registered as/);
    // Registering the same gateway agent twice is refused (4xx, field error).
    await expect(createAgent(actor, ZAgentCreate.parse({ name: `ops-${rid()}`, owner: "o", purpose: "p", gatewayId: g.gw.id, externalId: "ops" }))).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { externalId: expect.any(Array) },
    });

    // The next push neither re-opens it nor finds a posture difference (the form took the reported values).
    await push(g, inv);
    expect((await findingsOf(g.gw.id, "unregistered_agent")).map((x) => x.status)).toEqual(["resolved"]);
    expect(await findingsOf(g.gw.id, "posture_drift")).toHaveLength(0);
  });

  it("flags posture drift where the gateway reports another posture, keeps a dismissal of the same difference, resolves when they agree", async () => {
    const g = await gateway();
    const agent = await db.agent.create({
      data: {
        name: `a-${rid()}`,
        owner: "o",
        purpose: "p",
        gatewayId: g.gw.id,
        externalId: "main",
        model: "anthropic/claude-sonnet-4",
        fallbackModels: [],
        posture: { execMode: "deny", canDelegate: false, fsWorkspaceOnly: true },
      },
    });
    const reported = { id: "main", name: "Main", model: "anthropic/claude-sonnet-4", fallbackModels: [], execMode: "full", canDelegate: false, workspaceOnly: true };
    await push(g, base({ agents: [reported] }));
    await push(g, base({ agents: [reported] }));
    const [f] = await findingsOf(g.gw.id, "posture_drift");
    expect(await findingsOf(g.gw.id, "posture_drift")).toHaveLength(1);
    expect(f).toMatchObject({ status: "open", severity: "high", agentId: agent.id });
    expect(detailOf(f).differences).toEqual([{ field: "execMode", label: "Exec mode", registry: "deny", reported: "full", riskier: true }]);

    const { actor } = await makeUser("security_lead");
    await dismissFinding(actor, { id: f.id, reason: "Accepted during the migration" });
    await push(g, base({ agents: [reported] }));
    expect((await findingsOf(g.gw.id, "posture_drift")).map((x) => x.status)).toEqual(["dismissed"]);
    // A different difference is news: a new open finding.
    await push(g, base({ agents: [{ ...reported, fallbackModels: ["openai/gpt-4o-mini"] }] }));
    const two = await findingsOf(g.gw.id, "posture_drift");
    expect(two.map((x) => x.status)).toEqual(["dismissed", "open"]);
    expect((detailOf(two[1]).differences as { field: string }[]).map((d) => d.field)).toEqual(["fallbackModels", "execMode"]);
    // Registry and gateway agree again: resolved.
    await push(g, base({ agents: [{ ...reported, execMode: "deny" }] }));
    expect((await findingsOf(g.gw.id, "posture_drift")).map((x) => x.status)).toEqual(["dismissed", "resolved"]);
  });
});

describe("advisories", () => {
  it("matches OpenClaw versions with semver ranges", () => {
    expect(versionAffected("2026.9.6", ">=2026.9.0 <2026.9.7")).toBe(true);
    expect(versionAffected("2026.9.7", ">=2026.9.0 <2026.9.7")).toBe(false);
    expect(versionAffected("2026.9.6", "2026.9.x")).toBe(true);
    expect(versionAffected("v2026.9.6", "<=2026.9.6")).toBe(true);
    expect(versionAffected("2026.9.6-beta.1", "<2026.9.6")).toBe(true);
    expect(versionAffected("not a version", "*")).toBe(false);
    expect(versionAffected("2026.9.6", "garbage range")).toBe(false);
  });

  it("security leads record advisories (audited), affected gateways get a finding at once and on push; others are refused; bad input is a 4xx", async () => {
    const g = await gateway();
    const other = await gateway();
    await push(g, base({ openclaw: { version: "2026.9.6", buildHash: H("e") } }));
    await push(other, base({ openclaw: { version: "2026.9.8" } }));
    const lead = await makeUser("security_lead");

    for (const role of ["operator", "auditor", "manager"] as const) {
      const { actor } = await makeUser(role);
      const res = await execute(actor, createAdvisoryAction, { product: "openclaw", versionRange: "*", severity: "high", title: "Denied" });
      expect(res).toMatchObject({ ok: false, code: "forbidden" });
    }
    expect(await db.advisory.count({ where: { title: "Denied" } })).toBe(0);
    const bad = await execute(lead.actor, createAdvisoryAction, { product: "openclaw", versionRange: "next tuesday", severity: "urgent", title: "x", url: "javascript:alert(1)" });
    expect(bad).toMatchObject({ ok: false, code: "invalid" });
    if (!bad.ok) expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["severity", "title", "url", "versionRange"]);

    const title = `RCE ${rid()}`;
    const created = await execute(lead.actor, createAdvisoryAction, { product: "openclaw", versionRange: ">=2026.9.0 <2026.9.7", severity: "critical", title, url: "https://example.com/advisory/1" });
    expect(created.ok).toBe(true);
    const id = created.ok ? created.data.id : "";
    const [f] = await findingsOf(g.gw.id, "advisory");
    expect(f).toMatchObject({ status: "open", severity: "critical" });
    expect(detailOf(f)).toMatchObject({ advisoryId: id, version: "2026.9.6", fixUrl: "https://example.com/advisory/1" });
    expect(await findingsOf(other.gw.id, "advisory")).toHaveLength(0);
    expect(await db.auditEvent.count({ where: { action: "advisory.create", targetId: id } })).toBe(1);

    // Pushing the same version again keeps one finding; an upgrade past the range resolves it.
    await push(g, base({ openclaw: { version: "2026.9.6" } }));
    expect(await findingsOf(g.gw.id, "advisory")).toHaveLength(1);
    await push(g, base({ openclaw: { version: "2026.9.7" } }));
    expect((await findingsOf(g.gw.id, "advisory")).map((x) => x.status)).toEqual(["resolved"]);
    await push(g, base({ openclaw: { version: "2026.9.6" } }));
    expect((await findingsOf(g.gw.id, "advisory")).map((x) => x.status)).toEqual(["resolved", "open"]);

    // Deleting the advisory resolves its findings (audited); an operator cannot delete.
    const op = await makeUser("operator");
    expect(await execute(op.actor, deleteAdvisoryAction, { id })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await execute(lead.actor, deleteAdvisoryAction, { id })).toMatchObject({ ok: true });
    expect((await findingsOf(g.gw.id, "advisory")).map((x) => x.status)).toEqual(["resolved", "resolved"]);
    expect(await db.auditEvent.count({ where: { action: "advisory.delete", targetId: id } })).toBe(1);
  });
});

describe("inventory history", () => {
  it("keeps one snapshot per distinct content, with what changed; the same content in another order only moves last-reported", async () => {
    const g = await gateway();
    const v1 = base({
      openclaw: { version: "2026.9.6", buildHash: H("1") },
      agents: [{ id: "main", name: "Main", tools: ["read", "exec"] }],
      skills: [
        { name: "a", hash: H("a") },
        { name: "b", hash: H("b") },
      ],
      cronJobs: [{ id: "nightly", enabled: true }],
    });
    expect((await push(g, v1)).json).toMatchObject({ changed: true });
    const reordered = {
      ...v1,
      skills: [
        { name: "b", hash: H("b") },
        { name: "a", hash: H("a") },
      ],
      agents: [{ id: "main", name: "Main", tools: ["exec", "read"] }],
    };
    expect((await push(g, reordered)).json).toMatchObject({ changed: false });
    let history = await listInventoryHistory(g.gw.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ reports: 2, diff: null });
    expect(history[0].lastReportedAt.getTime()).toBeGreaterThanOrEqual(history[0].firstReportedAt.getTime());

    const v2 = base({
      openclaw: { version: "2026.9.7", buildHash: H("2") },
      agents: [
        { id: "main", name: "Main", tools: ["read"] },
        { id: "ops", name: "Ops" },
      ],
      skills: [{ name: "a", hash: H("c") }],
      mcpServers: [{ name: "files", transport: "stdio", command: "node" }],
      cronJobs: [{ id: "nightly", enabled: false }],
    });
    await push(g, v2);
    history = await listInventoryHistory(g.gw.id);
    expect(history).toHaveLength(2);
    const d = history[0].diff!;
    expect(d.sections.openclaw?.changed[0].fields).toEqual([
      { field: "buildHash", before: H("1"), after: H("2") },
      { field: "version", before: "2026.9.6", after: "2026.9.7" },
    ]);
    expect(d.sections.agents).toEqual({ added: ["ops"], removed: [], changed: [{ name: "main", fields: [{ field: "tools", before: '["exec","read"]', after: '["read"]' }] }] });
    expect(d.sections.skills).toEqual({ added: [], removed: ["b"], changed: [{ name: "a", fields: [{ field: "hash", before: H("a"), after: H("c") }] }] });
    expect(d.sections.mcpServers).toEqual({ added: ["files"], removed: [], changed: [] });
    expect(d.sections.cronJobs?.changed[0]).toEqual({ name: "nightly", fields: [{ field: "enabled", before: "true", after: "false" }] });
    expect(d.summary).toMatch(/OpenClaw 2026\.9\.6 → 2026\.9\.7/);
    // Back to the first content: a third snapshot (A → B → A is history too).
    await push(g, v1);
    expect(await listInventoryHistory(g.gw.id)).toHaveLength(3);
  });

  it(`keeps the newest ${INVENTORY_HISTORY_KEEP} snapshots per gateway`, async () => {
    const g = await gateway();
    for (let i = 0; i < INVENTORY_HISTORY_KEEP + 3; i++) await push(g, base({ cronJobs: [{ id: `job-${i}`, enabled: true }] }));
    const rows = await db.gatewayInventorySnapshot.findMany({ where: { gatewayId: g.gw.id }, orderBy: { firstReportedAt: "asc" } });
    expect(rows).toHaveLength(INVENTORY_HISTORY_KEEP);
    expect((rows[0].inventory as { cronJobs: { id: string }[] }).cronJobs[0].id).toBe("job-3");
  }, 60_000);

  it("diffs bound their size", () => {
    const many = (n: number) => ({ agents: [], tools: Array.from({ length: n }, (_, i) => ({ name: `t${i}` })) });
    const d = diffInventories(many(0), many(450));
    expect(d.sections.tools?.added).toHaveLength(200);
    expect(d.sections.tools?.omitted).toBe(250);
  });
});

describe("inventory input (contract 2)", () => {
  it("stores MCP servers without secrets and refuses malformed items with field errors", async () => {
    const g = await gateway();
    const res = await push(
      g,
      base({
        mcpServers: [
          { name: "remote", transport: "http", url: "https://user:hunter2@mcp.example.com/v1?api_key=abc#frag", headers: { Authorization: "Bearer xyz" }, env: { TOKEN: "abc" } },
          { name: "local", transport: "stdio", command: "node", args: ["server.js", "--token=ghp_abcdefghijklmnopqrstuvwxyz0123456789", "--api-key", "plain-value-1234", "--port", "8080"] },
          { name: "odd", transport: "http", url: "admin:hunter3@mcp.internal/x?key=1" },
        ],
      }),
    );
    expect(res.status).toBe(202);
    const stored = (await db.gateway.findUniqueOrThrow({ where: { id: g.gw.id } })).inventory as { mcpServers: Record<string, unknown>[] };
    expect(stored.mcpServers[0]).toEqual({ name: "remote", transport: "http", url: "https://mcp.example.com/v1" });
    expect(stored.mcpServers[1].args).toEqual(["server.js", `--token=${REDACTED}`, "--api-key", REDACTED, "--port", "8080"]);
    expect(stored.mcpServers[2].url).toBe("mcp.internal/x");
    expect(JSON.stringify(stored)).not.toMatch(/hunter2|hunter3|api_key|Bearer|ghp_abcdef|plain-value/);
    expect(JSON.stringify(stored)).toContain(REDACTED);

    for (const bad of [
      base({ mcpServers: [{ name: "x" }] }),
      base({ skills: [{ name: "x", hash: "not-a-hash" }] }),
      base({ openclaw: { version: "" } }),
      base({ agents: [{ id: "a", name: "A", canDelegate: "yes" }] }),
      base({ tools: [{ name: "t", agents: "main" }] }),
    ]) {
      const r = await push(g, bad);
      expect(r.status).toBe(400);
      expect(r.json.error?.code).toBe("invalid");
      expect(Object.keys(r.json.error?.fieldErrors ?? {}).length).toBeGreaterThan(0);
    }
    // Nothing of the refused bodies was stored.
    expect(await db.gatewayInventorySnapshot.count({ where: { gatewayId: g.gw.id } })).toBe(1);
  });
});
