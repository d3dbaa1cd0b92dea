import { spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { createGunzip, createGzip, gunzipSync } from "node:zlib";
import { saveExport, unpackTarGz, type BundleEntry } from "@/test/bundles";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import type { RoleName } from "@/lib/auth/roles";
import { makeUser, rid } from "@/test/factories";
import { csvColumn, expectSafeCsv, neutralised } from "@/test/csv";
import type { AuditAction } from "@/lib/audit/actions";

// Exports live in the database; downloaded copies and tampered bundles go to a throwaway folder.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "warden-evidence-"));

// The API routes resolve the caller through getActor(); tests swap in an actor of a given role.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));

const { db } = await import("@/lib/db");
const { recordAuditStandalone } = await import("@/lib/audit/record");
const { wardenPublicKey } = await import("@/lib/signing/keys");
const { startEvidenceExport, waitForExport } = await import("./service");
const { verifyEvidenceBundle, formatReport } = await import("./verify");
const { validateOcsf } = await import("./ocsf");
const { readTar, TarWriter } = await import("./tar");
const { ZEvidenceExport } = await import("./schema");

const MIN = 60_000;
const HOUR = 60 * MIN;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

type Entry = BundleEntry;
const unpack = unpackTarGz;

/** Write members back into a new .tar.gz (how a tamperer would re-pack a bundle). */
async function repack(entries: Entry[], file: string): Promise<string> {
  const gz = createGzip();
  const done = pipeline(gz, fs.createWriteStream(file));
  const tar = new TarWriter(gz);
  for (const e of entries) await tar.addBuffer(e.path, e.content);
  await tar.finish();
  gz.end();
  await done;
  return file;
}

const member = (entries: Entry[], p: string) => entries.find((e) => e.path === p)!.content.toString("utf8");
const jsonl = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function exportAs(actor: Actor, input: { from: Date; to: Date; gatewayIds?: string[]; agentIds?: string[] }) {
  const { id } = await startEvidenceExport(actor, ZEvidenceExport.parse({ ...input, from: input.from.toISOString(), to: input.to.toISOString() }));
  const status = await waitForExport(id);
  if (status.state !== "done") throw new Error(`export ${status.state}: ${status.error}`);
  return { id, status, file: await saveExport(id, path.join(dataDir, `${id}.tar.gz`)) };
}

/** A small, fully populated window: one of everything an auditor asks about. */
async function seedWindow() {
  const { user: lead, actor: leadActor } = await makeUser("security_lead");
  const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
  const otherGw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
  const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: "team", purpose: "test", gatewayId: gw.id } });
  const tool = await db.tool.create({ data: { name: `tool-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
  const hash = sha(rid());
  const version = await db.toolVersion.create({ data: { toolId: tool.id, version: "1.0.0", contentHash: hash } });
  const request = await db.toolRequest.create({ data: { toolVersionId: version.id, requesterId: lead.id, justification: "needed for the test", agentIds: [agent.id] } });
  const decision = await db.trustDecision.create({
    data: { requestId: request.id, toolVersionId: version.id, deciderId: lead.id, outcome: "approve", checklist: { authorVerified: true }, reason: "Reviewed for the test" },
  });
  await db.grant.create({ data: { agentId: agent.id, toolId: tool.id, kind: "grant", reason: "Test grant", grantedById: lead.id } });
  await db.dataFlow.create({ data: { agentId: agent.id, service: "Example", host: `api-${rid()}.example.com`, dataSent: "queries", dataReceived: "answers", classification: "internal" } });
  await db.integration.create({ data: { name: `int-${rid()}`, provider: "Vendor", reason: "email", permissions: ["send"] } });

  const now = Date.now();
  const call = (over: Record<string, unknown>) => ({
    occurredAt: new Date(now - 20 * MIN),
    gatewayId: gw.id,
    eventId: `ev-${rid()}`,
    agentId: agent.id,
    agentName: agent.name,
    toolName: tool.name,
    toolVersion: "1.0.0",
    toolHash: hash,
    decision: "allowed" as const,
    egressHosts: [],
    ...over,
  });
  const formula = `=HYPERLINK("http://evil.example/${rid()}")`;
  await db.toolCall.createMany({
    data: [
      call({ params: { url: "https://example.com", note: "=1+2" }, result: { ok: true }, sessionKey: "x;=1+1", toolVersion: "+1" }),
      call({ decision: "blocked", toolName: `exec-${rid()}`, blockReason: "\t=1+1", sessionKey: 'say "hi";=1', error: "line1\r\nline2", occurredAt: new Date(now - 15 * MIN) }),
      call({ toolName: formula, params: { cmd: "@SUM(A1)" }, occurredAt: new Date(now - 10 * MIN) }),
      call({ gatewayId: otherGw.id, agentId: null, agentName: "stranger", toolName: "other-gw-tool", sessionKey: "-2", occurredAt: new Date(now - 5 * MIN) }),
    ],
  });

  const action = await db.containmentAction.create({
    data: { scope: "tool", target: tool.name, action: "deny_tool", reason: "suspicious calls", requestedById: lead.id, affected: { gateways: [{ id: gw.id, name: gw.name }] } },
  });
  await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: gw.id, state: "applied", deliveredAt: new Date(), ackedAt: new Date(), wsState: "sent" } });
  await db.gatewayCommand.create({ data: { actionId: action.id, gatewayId: otherGw.id, state: "pending" } });
  const finding = await db.finding.create({ data: { kind: "unapproved_tool", severity: "high", gatewayId: gw.id, agentId: agent.id, toolName: "exec", title: `Unapproved tool exec ${rid()}` } });
  const incident = await db.incident.create({ data: { title: `Incident ${rid()}`, severity: "high", findingId: finding.id, ownerId: lead.id, summary: "exec called" } });
  await db.incidentEvent.create({ data: { incidentId: incident.id, kind: "opened", body: { by: lead.email } } });
  await db.containmentAction.update({ where: { id: action.id }, data: { incidentId: incident.id } });
  const playbook = await db.playbook.create({ data: { name: `pb-${rid()}`, trigger: "manual" } });
  await db.drill.create({ data: { playbookId: playbook.id, runById: lead.id, startedAt: new Date(now - 30 * MIN), finishedAt: new Date(now - 29 * MIN), timeToContainMs: 60_000 } });

  await recordAuditStandalone({ ...leadActor, ip: "198.51.100.7" }, { action: "auth.login", targetType: "user", targetId: lead.id });
  await recordAuditStandalone(
    { kind: "user", label: "nobody@test.local", role: null, ip: "198.51.100.8", userAgent: "curl" },
    { action: "auth.login", outcome: "failure", targetType: "account", targetId: "nobody@test.local" },
  );

  return { lead, gw, otherGw, agent, tool, decision, request, action, finding, incident, formula, from: new Date(now - HOUR), to: new Date(now + MIN) };
}

let seeded: Awaited<ReturnType<typeof seedWindow>>;
let auditor: Awaited<ReturnType<typeof makeUser>>;
let bundle: Awaited<ReturnType<typeof exportAs>>;
let entries: Entry[];
let serverKey: string;

beforeAll(async () => {
  seeded = await seedWindow();
  auditor = await makeUser("auditor");
  serverKey = (await wardenPublicKey()).publicKeyPem;
  bundle = await exportAs(auditor.actor, { from: seeded.from, to: seeded.to });
  entries = await unpack(bundle.file);
}, 60_000);

describe("evidence bundle", () => {
  it("holds every member, manifest last, and verifies with the server's key", async () => {
    const paths = entries.map((e) => e.path);
    expect(paths.slice(-2)).toEqual(["manifest.json", "manifest.sig"]);
    for (const p of [
      "audit/audit_events.jsonl",
      "audit/chain.json",
      "registry/trust_decisions.jsonl",
      "registry/tool_requests.jsonl",
      "registry/allowlist_snapshot.json",
      "registry/data_flows.jsonl",
      "registry/integrations.jsonl",
      "response/containment_actions.jsonl",
      "response/incidents.jsonl",
      "response/drills.jsonl",
      "tool_calls/tool_calls.csv",
      "tool_calls/tool_calls.jsonl",
      "ocsf/events.jsonl",
      "warden-public-key.pem",
    ]) {
      expect(paths, p).toContain(p);
    }
    const manifest = JSON.parse(member(entries, "manifest.json"));
    expect(manifest).toMatchObject({
      schema: "warden.evidence/v1",
      exportId: bundle.id,
      createdBy: auditor.actor.label,
      window: { from: seeded.from.toISOString(), to: seeded.to.toISOString() },
      publicKeyUrl: "/api/v1/evidence/public-key",
      keyId: (await wardenPublicKey()).keyId,
    });
    for (const f of manifest.files) {
      const content = entries.find((e) => e.path === f.path)!.content;
      expect(f.sha256, f.path).toBe(sha256(content));
      expect(f.bytes, f.path).toBe(content.length);
    }
    expect(manifest.files.find((f: { path: string }) => f.path === "tool_calls/tool_calls.jsonl").rows).toBe(4);

    const report = await verifyEvidenceBundle(bundle.file, { publicKeyPem: serverKey });
    expect(report, formatReport(report)).toMatchObject({ ok: true, signature: "ok", keySource: "provided" });
    expect(report.files.every((f) => f.status === "ok")).toBe(true);
    expect(report.files).toHaveLength(manifest.files.length);
    expect(report.chain).toMatchObject({ ok: true });
    expect(report.ocsf).toMatchObject({ invalid: 0 });

    // The export itself is audited with what it contains.
    const audit = await db.auditEvent.findFirst({ where: { action: "evidence.export", targetId: bundle.id } });
    expect(audit?.after).toMatchObject({
      exportId: bundle.id,
      from: seeded.from.toISOString(),
      files: manifest.files.length,
      sha256: sha256(Buffer.from(member(entries, "manifest.json"))),
      bytes: fs.statSync(bundle.file).size,
    });
    expect(bundle.status).toMatchObject({ state: "done", bytes: fs.statSync(bundle.file).size });
  });

  it("carries the audit chain of the window, linked to the event before it", async () => {
    const events = jsonl(member(entries, "audit/audit_events.jsonl"));
    const chain = JSON.parse(member(entries, "audit/chain.json"));
    expect(events.length).toBeGreaterThan(0);
    expect(chain).toMatchObject({ verified: true, count: events.length, firstId: events[0].id, lastId: events.at(-1).id, headHash: events.at(-1).hash });
    const before = await db.auditEvent.findFirst({ where: { id: { lt: BigInt(events[0].id) } }, orderBy: { id: "desc" } });
    expect(chain.anchor).toMatchObject({ matches: true, hash: before?.hash ?? "0".repeat(64) });
    expect(events.map((e) => e.action)).toContain("auth.login");
    for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);
  });

  it("registry and response files carry the seeded records, deliveries and timeline", async () => {
    expect(jsonl(member(entries, "registry/trust_decisions.jsonl")).map((d) => d.id)).toContain(seeded.decision.id);
    expect(jsonl(member(entries, "registry/tool_requests.jsonl")).map((r) => r.id)).toContain(seeded.request.id);
    const snapshot = JSON.parse(member(entries, "registry/allowlist_snapshot.json"));
    const mine = snapshot.agents.find((a: { agentId: string }) => a.agentId === seeded.agent.id);
    expect(mine.entries[0]).toMatchObject({ toolName: seeded.tool.name, status: "allowed" });
    const action = jsonl(member(entries, "response/containment_actions.jsonl")).find((a) => a.id === seeded.action.id);
    expect(action.deliveries).toHaveLength(2);
    expect(action.deliveries.find((d: { gatewayId: string }) => d.gatewayId === seeded.gw.id)).toMatchObject({
      state: "applied",
      deliveredAt: expect.any(String),
      ackedAt: expect.any(String),
      escalatedAt: null,
      wsState: "sent",
    });
    const incident = jsonl(member(entries, "response/incidents.jsonl")).find((i) => i.id === seeded.incident.id);
    expect(incident.timeline).toEqual([expect.objectContaining({ kind: "opened" })]);
    expect(jsonl(member(entries, "response/drills.jsonl"))).toHaveLength(1);
    // Integrations carry no secret-bearing columns; gateway secrets never appear anywhere.
    expect(member(entries, "registry/integrations.jsonl")).not.toMatch(/secret|token/i);
  });

  it("tool calls: params and results included, CSV cells neutralised against formulas", () => {
    const calls = jsonl(member(entries, "tool_calls/tool_calls.jsonl"));
    expect(calls).toHaveLength(4);
    expect(calls[0]).toMatchObject({ params: { url: "https://example.com", note: "=1+2" }, result: { ok: true } });
    const csv = member(entries, "tool_calls/tool_calls.csv");
    // Read back with a real CSV parser: every text cell quoted, no cell a formula, values intact.
    const rows = expectSafeCsv(csv);
    expect(rows).toHaveLength(5);
    expect(rows[0].map((c) => c.value)).toContain("params");
    const tools = csvColumn(rows, "toolName");
    expect(tools.find((t) => t.includes("HYPERLINK"))).toMatch(/^'=HYPERLINK\(/);
    expect(csvColumn(rows, "sessionKey")).toEqual(expect.arrayContaining([neutralised("x;=1+1"), neutralised('say "hi";=1'), neutralised("-2")]));
    expect(csvColumn(rows, "blockReason")).toContain(neutralised("\t=1+1"));
    expect(csvColumn(rows, "error")).toContain("line1\r\nline2");
    expect(csvColumn(rows, "toolVersion")).toContain(neutralised("+1"));
    expect(csvColumn(rows, "params").some((p) => p.includes("@SUM(A1)"))).toBe(true); // inside the JSON params cell, which starts with {
  });

  it("OCSF: every record validates, type_uid arithmetic holds, and each expected class appears", () => {
    const records = jsonl(member(entries, "ocsf/events.jsonl"));
    for (const r of records) {
      expect(validateOcsf(r), JSON.stringify(r)).toEqual({ ok: true, errors: [] });
      expect(r.type_uid).toBe(r.class_uid * 100 + r.activity_id);
      expect(r.metadata).toMatchObject({ version: "1.3.0", product: { name: "Warden", vendor_name: "Warden" } });
      expect(Number.isInteger(r.time)).toBe(true);
    }
    const of = (cls: number, pred: (r: Record<string, never>) => boolean = () => true) => records.filter((r) => r.class_uid === cls && pred(r));
    expect(of(6003, (r) => r.status_id === 1 && (r.api as { operation: string }).operation === seeded.tool.name)).toHaveLength(1); // allowed call
    expect(of(6003)).toHaveLength(4);
    expect(of(2004, (r) => (r.metadata as { profiles?: string[] }).profiles?.includes("security_control") === true)).toEqual([
      expect.objectContaining({ action_id: 2, disposition_id: 2, category_uid: 2 }),
    ]); // blocked call
    expect(of(3004, (r) => (r.entity as { uid: string }).uid === seeded.decision.id)).toEqual([expect.objectContaining({ activity_id: 1, type_uid: 300401 })]);
    expect(of(3004, (r) => (r.entity as { uid: string }).uid === seeded.action.id)).toEqual([
      expect.objectContaining({ activity_id: 1, entity: expect.objectContaining({ type: "containment_action" }) }),
    ]);
    expect(of(2004, (r) => (r.finding_info as { uid: string }).uid === seeded.finding.id)).toEqual([expect.objectContaining({ severity_id: 4, status_id: 1 })]);
    expect(of(2005, (r) => (r.unmapped as { incident_id: string }).incident_id === seeded.incident.id)).toEqual([
      expect.objectContaining({ activity_id: 1, status_id: 1, finding_info_list: [expect.objectContaining({ uid: seeded.finding.id })] }),
    ]);
    const auth = of(3002);
    expect(auth.map((a) => a.status_id).sort()).toEqual([1, 2]);
    expect(auth.find((a) => a.status_id === 1)).toMatchObject({ user: { name: seeded.lead.email }, src_endpoint: { ip: "198.51.100.7" }, type_uid: 300201 });
  });

  it("validateOcsf rejects a wrong type_uid, a missing class field, and an unknown class", () => {
    const good = jsonl(member(entries, "ocsf/events.jsonl")).find((r) => r.class_uid === 6003);
    expect(validateOcsf({ ...good, type_uid: 600301 }).errors.join()).toMatch(/type_uid/);
    expect(validateOcsf({ ...good, api: {} }).errors.join()).toMatch(/api.operation/);
    expect(validateOcsf({ ...good, class_uid: 1234 }).ok).toBe(false);
    expect(validateOcsf({ ...good, category_uid: 3 }).errors.join()).toMatch(/category_uid/);
    const noTime = { ...good };
    delete noTime.time;
    expect(validateOcsf(noTime).errors.join()).toMatch(/time/);
  });

  it("filters narrow tool calls, deliveries and allowlists to the chosen gateways and agents", async () => {
    const filtered = await exportAs(auditor.actor, { from: seeded.from, to: seeded.to, gatewayIds: [seeded.gw.id], agentIds: [seeded.agent.id] });
    const e = await unpack(filtered.file);
    const calls = jsonl(member(e, "tool_calls/tool_calls.jsonl"));
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.gatewayId === seeded.gw.id && c.agentId === seeded.agent.id)).toBe(true);
    const action = jsonl(member(e, "response/containment_actions.jsonl")).find((a) => a.id === seeded.action.id);
    expect(action.deliveries.map((d: { gatewayId: string }) => d.gatewayId)).toEqual([seeded.gw.id]);
    expect(JSON.parse(member(e, "registry/allowlist_snapshot.json")).agents.map((a: { agentId: string }) => a.agentId)).toEqual([seeded.agent.id]);
    expect(JSON.parse(member(e, "manifest.json")).filters).toEqual({ gatewayIds: [seeded.gw.id], agentIds: [seeded.agent.id] });
  });
});

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("keyset pagination", () => {
  it("walks pages across rows sharing one timestamp without skipping or repeating any", { timeout: 120_000 }, async () => {
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
    const at = new Date(Date.now() - 5 * 24 * HOUR);
    // 12,345 calls: 7,000 share one instant (ids 9…10,000+ cross a digit boundary), the rest spread out.
    await db.$executeRaw`
      insert into tool_calls (occurred_at, gateway_id, event_id, agent_name, tool_name, decision, egress_hosts)
      select case when i < 7000 then ${at}::timestamptz else ${at}::timestamptz + (i * interval '1 millisecond') end,
             ${gw.id}::uuid, 'ev-' || i, 'a', 't', 'allowed', '{}'
        from generate_series(0, 12344) as i`;
    const e = await exportAs(auditor.actor, { from: new Date(at.getTime() - MIN), to: new Date(at.getTime() + HOUR), gatewayIds: [gw.id] });
    let ids: string[] = [];
    await readTar(fs.createReadStream(e.file).pipe(createGunzip()), {
      onEntry: (h) => {
        if (h.path !== "tool_calls/tool_calls.jsonl") return;
        let rest = "";
        return (c) => {
          const parts = (rest + c.toString("utf8")).split("\n");
          rest = parts.pop()!;
          ids = ids.concat(parts.map((l) => JSON.parse(l).id));
        };
      },
    });
    expect(ids).toHaveLength(12_345);
    expect(new Set(ids).size).toBe(12_345);
    const expected = (await db.toolCall.findMany({ where: { gatewayId: gw.id }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }], select: { id: true } })).map((r) => r.id.toString());
    expect(ids).toEqual(expected);
  });
});

describe("tamper detection", () => {
  const tmp = () => path.join(dataDir, `tampered-${rid()}.tar.gz`);

  it("every member flipped by one byte is named altered", async () => {
    for (const target of entries.filter((e) => e.path !== "manifest.json" && e.path !== "manifest.sig")) {
      const changed = entries.map((e) => {
        if (e !== target) return e;
        const c = Buffer.from(e.content);
        c[Math.floor(c.length / 2)] ^= 0x01;
        return { ...e, content: c };
      });
      const report = await verifyEvidenceBundle(await repack(changed, tmp()), { publicKeyPem: serverKey });
      expect(report.ok, target.path).toBe(false);
      expect(report.signature).toBe("ok");
      expect(
        report.files.filter((f) => f.status !== "ok"),
        target.path,
      ).toEqual([expect.objectContaining({ path: target.path, status: "altered" })]);
    }
  });

  it("an unchanged re-pack still verifies (the check is on content, not on the archive bytes)", async () => {
    const report = await verifyEvidenceBundle(await repack(entries, tmp()), { publicKeyPem: serverKey });
    expect(report.ok).toBe(true);
  });

  it("a removed member is missing, an added one is extra", async () => {
    const removed = await verifyEvidenceBundle(
      await repack(
        entries.filter((e) => e.path !== "response/drills.jsonl"),
        tmp(),
      ),
      { publicKeyPem: serverKey },
    );
    expect(removed.ok).toBe(false);
    expect(removed.files.filter((f) => f.status !== "ok")).toEqual([expect.objectContaining({ path: "response/drills.jsonl", status: "missing" })]);

    const added = [...entries.slice(0, 3), { path: "tool_calls/extra.csv", content: Buffer.from("id\r\n1\r\n") }, ...entries.slice(3)];
    const extra = await verifyEvidenceBundle(await repack(added, tmp()), { publicKeyPem: serverKey });
    expect(extra.ok).toBe(false);
    expect(extra.files.filter((f) => f.status !== "ok")).toEqual([expect.objectContaining({ path: "tool_calls/extra.csv", status: "extra" })]);
  });

  it("a changed manifest breaks the signature, even when its hashes are made to match", async () => {
    // The tamperer alters a file AND rewrites its hash in the manifest: only the signature catches it.
    const manifest = JSON.parse(member(entries, "manifest.json"));
    const csv = Buffer.from(member(entries, "tool_calls/tool_calls.csv").replace("stranger", "strangeR"));
    const f = manifest.files.find((x: { path: string }) => x.path === "tool_calls/tool_calls.csv");
    Object.assign(f, { sha256: sha256(csv), bytes: csv.length });
    const changed = entries.map((e) =>
      e.path === "manifest.json" ? { ...e, content: Buffer.from(JSON.stringify(manifest, null, 2) + "\n") } : e.path === "tool_calls/tool_calls.csv" ? { ...e, content: csv } : e,
    );
    const report = await verifyEvidenceBundle(await repack(changed, tmp()), { publicKeyPem: serverKey });
    expect(report.files.every((x) => x.status === "ok")).toBe(true);
    expect(report).toMatchObject({ ok: false, signature: "bad" });
  });

  it("a wrong public key fails the signature; the embedded key alone passes with a warning", async () => {
    const other = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    const wrong = await verifyEvidenceBundle(bundle.file, { publicKeyPem: other });
    expect(wrong).toMatchObject({ ok: false, signature: "bad", keySource: "provided" });
    expect(wrong.warnings.join()).toMatch(/manifest names key/);

    const embedded = await verifyEvidenceBundle(bundle.file);
    expect(embedded).toMatchObject({ ok: true, signature: "ok", keySource: "embedded" });
    expect(embedded.warnings.join()).toMatch(/not that your Warden made it/);

    // Swapping in the tamperer's own key and re-signing is caught by checking with the real key.
    const garbage = await verifyEvidenceBundle(Readable.from([Buffer.from("not a bundle at all")]), { publicKeyPem: serverKey });
    expect(garbage).toMatchObject({ ok: false, signature: "bad" });
    expect(garbage.errors.join()).toMatch(/not a readable/);
  });

  it("the chain check inside the bundle catches an edited audit event", async () => {
    const text = member(entries, "audit/audit_events.jsonl");
    const lines = text.split("\n").filter(Boolean);
    const victim = JSON.parse(lines[0]);
    lines[0] = JSON.stringify({ ...victim, actorLabel: "someone-else" });
    const changed = entries.map((e) => (e.path === "audit/audit_events.jsonl" ? { ...e, content: Buffer.from(lines.join("\n") + "\n") } : e));
    const report = await verifyEvidenceBundle(await repack(changed, tmp()), { publicKeyPem: serverKey });
    expect(report.chain).toMatchObject({ ok: false, firstBrokenId: victim.id });
    expect(report.files.find((f) => f.path === "audit/audit_events.jsonl")?.status).toBe("altered");
  });
});

describe("audit checkpoints in the bundle", () => {
  it("carries the checkpoints whose head is in the window plus one made for the export, signed, listed in the manifest, and verifiable offline", async () => {
    const { createAuditCheckpoint } = await import("@/lib/audit/checkpoint");
    const checkpointFile = path.join(dataDir, `checkpoints-${rid()}.jsonl`);
    process.env.WARDEN_AUDIT_CHECKPOINT_FILE = checkpointFile;
    try {
      await recordAuditStandalone(auditor.actor, { action: "test.before_checkpoint" as AuditAction });
      const interval = (await createAuditCheckpoint("interval", new Date(Date.now() + 10 * MIN)))!; // later than the exports above by more than half an interval
      expect(interval).not.toBeNull();
      const now = Date.now();
      const b = await exportAs(auditor.actor, { from: new Date(now - HOUR), to: new Date(now + MIN) });
      const members = await unpack(b.file);
      const paths = members.map((e) => e.path);
      expect(paths.indexOf("audit/checkpoints.jsonl")).toBeLessThan(paths.indexOf("audit/audit_events.jsonl"));
      const manifest = JSON.parse(member(members, "manifest.json"));
      expect(manifest.files.map((f: { path: string }) => f.path)).toContain("audit/checkpoints.jsonl");
      const cps = jsonl(member(members, "audit/checkpoints.jsonl"));
      expect(cps.map((c) => c.sig)).toContain(interval.sig);
      const made = cps.at(-1);
      expect(made).toMatchObject({ type: "warden.audit.checkpoint", reason: "export", keyId: (await wardenPublicKey()).keyId });
      expect(BigInt(made.headId)).toBeGreaterThanOrEqual(BigInt(interval.headId));
      // The export's checkpoint also left by the file.
      expect(
        fs
          .readFileSync(checkpointFile, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).sig),
      ).toEqual([interval.sig, made.sig]);
      const chain = JSON.parse(member(members, "audit/chain.json"));
      expect(chain.checkpoints).toMatchObject({ matched: expect.any(Number), mismatched: [], rejected: 0, export: { headId: made.headId } });
      expect(chain.checkpoints.matched).toBeGreaterThanOrEqual(1);

      const report = await verifyEvidenceBundle(b.file, { publicKeyPem: serverKey });
      expect(report, formatReport(report)).toMatchObject({ ok: true, checkpoints: { checked: cps.length, validSignatures: cps.length, badSignatures: 0, mismatched: [] } });
      expect(report.checkpoints!.matched).toBeGreaterThanOrEqual(1);
      // Under another key the checkpoints do not verify.
      const other = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
      expect((await verifyEvidenceBundle(b.file, { publicKeyPem: other })).checkpoints).toMatchObject({ validSignatures: 0, badSignatures: cps.length });
    } finally {
      process.env.WARDEN_AUDIT_CHECKPOINT_FILE = "off";
    }
  });
});

describe("command-line verifier", () => {
  const cli = (...args: string[]) => spawnSync(path.resolve("node_modules/.bin/tsx"), [path.resolve("scripts/evidence-verify.ts"), ...args], { encoding: "utf8", timeout: 60_000 });

  it("exits 0 with a clear report for a good bundle, 1 for a tampered one, 2 on bad usage", async () => {
    const keyFile = path.join(dataDir, "warden.pem");
    fs.writeFileSync(keyFile, serverKey);
    const good = cli(bundle.file, "--key", keyFile);
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^VERIFIED/);
    expect(good.stdout).toMatch(/Signature: OK/);

    const embedded = cli(bundle.file);
    expect(embedded.status).toBe(0);
    expect(embedded.stdout).toMatch(/Warning: Checked with the public key inside the bundle/);

    const changed = entries.map((e) => (e.path === "response/incidents.jsonl" ? { ...e, content: Buffer.concat([e.content, Buffer.from("{}\n")]) } : e));
    const bad = cli(await repack(changed, path.join(dataDir, `cli-${rid()}.tar.gz`)), "--key", keyFile, "--json");
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).files.find((f: { path: string }) => f.path === "response/incidents.jsonl").status).toBe("altered");

    expect(cli().status).toBe(2);
    expect(cli(bundle.file, "--key", keyFile, "--url", "http://localhost:1").status).toBe(2);
  });
});

describe("API and authorization", () => {
  const asRole = async (role: RoleName) => {
    const u = await makeUser(role);
    session.actor = u.actor;
    return u.actor;
  };
  const body = (o: object) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(o) });

  it("managers, operators and security leads cannot export (403, denial audited); auditors and admins can", async () => {
    const { POST } = await import("@/app/api/v1/evidence/exports/route");
    const input = { from: seeded.from.toISOString(), to: seeded.to.toISOString() };
    for (const role of ["manager", "operator", "security_lead"] as const) {
      const actor = await asRole(role);
      const res = await POST(new Request("http://w/api/v1/evidence/exports", body(input)));
      expect(res.status, role).toBe(403);
      expect(await db.auditEvent.count({ where: { action: "evidence.export", outcome: "denied", actorLabel: actor.label } }), role).toBe(1);
    }
    for (const role of ["auditor", "admin"] as const) {
      await asRole(role);
      const res = await POST(new Request("http://w/api/v1/evidence/exports", body(input)));
      expect(res.status, role).toBe(202);
      const { data } = await res.json();
      expect(data).toMatchObject({ id: expect.any(String), state: "running" });
      await waitForExport(data.id);
    }
    session.actor = null;
    expect((await POST(new Request("http://w/api/v1/evidence/exports", body(input)))).status).toBe(401);
  });

  it("holds at most four unfinished exports fleet-wide (409 for a fifth, also when they arrive at once)", async () => {
    const { POST } = await import("@/app/api/v1/evidence/exports/route");
    await asRole("auditor");
    const input = { from: seeded.from.toISOString(), to: seeded.to.toISOString() };
    const res = await Promise.all([1, 2, 3, 4, 5].map(() => POST(new Request("http://w/api/v1/evidence/exports", body(input)))));
    expect(res.map((r) => r.status).sort()).toEqual([202, 202, 202, 202, 409]);
    const conflict = res.find((r) => r.status === 409)!;
    expect(JSON.stringify(await conflict.json())).toMatch(/already waiting or running/);
    for (const r of res.filter((x) => x.status === 202)) expect((await waitForExport((await r.json()).data.id)).state).toBe("done");
  });

  it("validates the window: from < to and at most 400 days", async () => {
    const { POST } = await import("@/app/api/v1/evidence/exports/route");
    await asRole("auditor");
    const now = Date.now();
    const bad = async (o: object, field: string) => {
      const res = await POST(new Request("http://w/api/v1/evidence/exports", body(o)));
      expect(res.status).toBe(400);
      expect((await res.json()).error.fieldErrors).toHaveProperty(field);
    };
    await bad({ from: new Date(now).toISOString(), to: new Date(now - HOUR).toISOString() }, "to");
    await bad({ from: new Date(now - 401 * 24 * HOUR).toISOString(), to: new Date(now).toISOString() }, "from");
    await bad({ from: "yesterday", to: new Date(now).toISOString() }, "from");
    await bad({ from: new Date(now - HOUR).toISOString(), to: new Date(now).toISOString(), gatewayIds: ["00000000-0000-4000-8000-000000000000"] }, "gatewayIds");
  });

  it("status, download (audited) and the public key; managers see neither status nor bundle", async () => {
    const { GET: status } = await import("@/app/api/v1/evidence/exports/[id]/route");
    const { GET: download } = await import("@/app/api/v1/evidence/exports/[id]/download/route");
    const { GET: list } = await import("@/app/api/v1/evidence/exports/route");
    const { GET: publicKey } = await import("@/app/api/v1/evidence/public-key/route");
    const ctx = { params: Promise.resolve({ id: bundle.id }) };

    const actor = await asRole("auditor");
    const s = await (await status(new Request(`http://w/api/v1/evidence/exports/${bundle.id}`), ctx)).json();
    expect(s.data).toMatchObject({ id: bundle.id, state: "done", progress: { phase: "done" } });
    expect((await (await list()).json()).data.map((x: { id: string }) => x.id)).toContain(bundle.id);
    const res = await download(new Request(`http://w/api/v1/evidence/exports/${bundle.id}/download`), ctx);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="warden-evidence_.*\.tar\.gz"/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(fs.readFileSync(bundle.file)));
    expect(gunzipSync(bytes).length).toBeGreaterThan(0);
    expect(await db.auditEvent.count({ where: { action: "evidence.download", targetId: bundle.id, actorLabel: actor.label } })).toBe(1);
    expect((await status(new Request("http://w/x"), { params: Promise.resolve({ id: "00000000-0000-4000-8000-000000000000" }) })).status).toBe(404);

    const manager = await asRole("manager");
    expect((await status(new Request("http://w/x"), ctx)).status).toBe(403);
    const denied = await download(new Request("http://w/x"), ctx);
    expect(denied.status).toBe(403);
    expect(await denied.text()).not.toContain("params");
    expect(await db.auditEvent.count({ where: { action: "read:evidence.download", outcome: "denied", actorLabel: manager.label } })).toBe(1);

    session.actor = null;
    const key = await (await publicKey(new Request("http://w/api/v1/evidence/public-key"))).json();
    expect(key).toMatchObject({ keyId: (await wardenPublicKey()).keyId, algorithm: "Ed25519", publicKeyPem: serverKey });
    const pem = await (await publicKey(new Request("http://w/api/v1/evidence/public-key?format=pem"))).text();
    expect(pem).toBe(serverKey);
  });

  it("upload verification streams the body, uses the server key, and is audited", async () => {
    const { POST } = await import("@/app/api/v1/evidence/verify/route");
    const actor = await asRole("auditor");
    const ok = await POST(new Request("http://w/api/v1/evidence/verify", { method: "POST", body: fs.readFileSync(bundle.file) }));
    expect(ok.status).toBe(200);
    expect((await ok.json()).data).toMatchObject({ ok: true, signature: "ok", keySource: "provided" });
    const tampered = entries.filter((e) => e.path !== "response/drills.jsonl");
    const file = await repack(tampered, path.join(dataDir, `up-${rid()}.tar.gz`));
    const bad = await (await POST(new Request("http://w/api/v1/evidence/verify", { method: "POST", body: fs.readFileSync(file) }))).json();
    expect(bad.data.files.find((f: { path: string }) => f.path === "response/drills.jsonl").status).toBe("missing");
    expect(await db.auditEvent.count({ where: { action: "evidence.verify", actorLabel: actor.label } })).toBe(2);
    // The audit row tells the truth: a bundle that verifies is a success, one that does not a failure.
    const rows = await db.auditEvent.findMany({ where: { action: "evidence.verify", actorLabel: actor.label }, orderBy: { id: "asc" }, select: { outcome: true, after: true } });
    expect(rows.map((r) => [r.outcome, (r.after as { ok: boolean }).ok])).toEqual([
      ["success", true],
      ["failure", false],
    ]);

    const { verifyUploadedBundle } = await import("./upload");
    await expect(verifyUploadedBundle(actor, Readable.toWeb(fs.createReadStream(bundle.file)) as ReadableStream<Uint8Array>, null, 1024)).rejects.toThrow(/larger than/);
    // A refused upload (too large, not a bundle at all) is audited as a failure with its reason.
    expect((await POST(new Request("http://w/api/v1/evidence/verify", { method: "POST", body: "not a tarball" }))).status).toBeLessThan(500);
    const refused = await db.auditEvent.findMany({
      where: {
        action: "evidence.verify",
        actorLabel: actor.label,
        id: { gt: (await db.auditEvent.findFirstOrThrow({ where: { action: "evidence.verify", actorLabel: actor.label, outcome: "failure" }, orderBy: { id: "asc" } })).id },
      },
      orderBy: { id: "asc" },
      select: { outcome: true, after: true },
    });
    expect(refused.map((r) => r.outcome)).toEqual(["failure", "failure"]);
    expect(refused[0].after).toMatchObject({ ok: false, error: expect.stringMatching(/larger than/) });

    await asRole("manager");
    expect((await POST(new Request("http://w/api/v1/evidence/verify", { method: "POST", body: "x" }))).status).toBe(403);
  });
});
