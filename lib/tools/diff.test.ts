import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { diffToolVersions, MAX_CHANGES, type ApprovedSide, type VersionSide } from "./diff";
import { createToolRequestAction, decideToolRequestAction, revokeDecisionAction } from "./actions";
import { getRequest, getRequestDiff } from "./queries";
import { ZDecision, ZGrantCreate } from "./schema";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const H1 = sha("v1");
const H2 = sha("v2");

function side(p: Partial<VersionSide> = {}): VersionSide {
  return { version: "1.0.0", contentHash: H1, publisher: "acme", source: "clawhub", permissions: { fsRead: true, egressHosts: [] }, ...p };
}
function approved(p: Partial<ApprovedSide> = {}): ApprovedSide {
  return { ...side(), outcome: "approve", decidedAt: new Date("2026-01-01T00:00:00Z"), decider: "lead@example.com", conditions: null, ...p };
}
function diff(req: Partial<VersionSide>, base: Partial<ApprovedSide> = {}) {
  const d = diffToolVersions(side(req), approved(base));
  if (d.first) throw new Error("expected a comparison");
  return d;
}

describe("diffToolVersions", () => {
  it("a first version has nothing to compare with", () => {
    expect(diffToolVersions(side(), null)).toEqual({ first: true, version: "1.0.0" });
  });

  it("lists added and removed permissions, risky additions first and flagged", () => {
    const d = diff(
      { version: "2.0.0", permissions: { fsRead: false, fsWrite: true, exec: true, egressHosts: ["api.example.com", "*.evil.test"] } },
      { permissions: { fsRead: true, egressHosts: ["old.example.com"] } },
    );
    const byKey = Object.fromEntries(d.permissions.changes.map((c) => [c.key, c]));
    expect(byKey.fsWrite).toMatchObject({ kind: "added", risky: true });
    expect(byKey.exec).toMatchObject({ kind: "added", risky: true });
    expect(byKey.fsRead).toMatchObject({ kind: "removed", risky: false });
    expect(byKey["egressHosts:api.example.com"]).toMatchObject({ kind: "added", to: "api.example.com", risky: true });
    expect(byKey["egressHosts:*.evil.test"]).toMatchObject({ kind: "added", risky: true, note: "every subdomain" });
    expect(byKey["egressHosts:old.example.com"]).toMatchObject({ kind: "removed", risky: false });
    expect(d.permissions.risky).toBe(4);
    // The first egress host of a tool that had none is risky too.
    expect(diff({ permissions: { egressHosts: ["a.example.com"] } }, { permissions: {} }).permissions.changes).toEqual([expect.objectContaining({ key: "egressHosts:a.example.com", risky: true })]);
    // Every risky change comes before any other.
    const firstSafe = d.permissions.changes.findIndex((c) => !c.risky);
    expect(d.permissions.changes.slice(firstSafe).some((c) => c.risky)).toBe(false);
  });

  it("same permissions give no changes; host case and duplicates do not count as changes", () => {
    const d = diff(
      { version: "1.0.1", contentHash: H2, permissions: { fsRead: true, egressHosts: ["API.example.com", "api.example.com"] } },
      { permissions: { fsRead: true, egressHosts: ["api.example.com"] } },
    );
    expect(d.permissions.changes).toEqual([]);
    expect(d.permissions.risky).toBe(0);
  });

  it("flags a newly gained credential access + egress combination", () => {
    const d = diff({ permissions: { credentialAccess: true, egressHosts: ["x.example.com"] } }, { permissions: { credentialAccess: true } });
    expect(d.permissions.becomesCredEgress).toBe(true);
    expect(
      diff({ permissions: { credentialAccess: ["GITHUB_TOKEN"], egressHosts: ["x.example.com"] } }, { permissions: { credentialAccess: true, egressHosts: ["y.example.com"] } }).permissions
        .becomesCredEgress,
    ).toBe(false);
  });

  it("lifting a path or command limit is risky; narrowing is not", () => {
    const lifted = diff({ permissions: { fsWrite: true, pathPrefixes: [] } }, { permissions: { fsWrite: true, pathPrefixes: ["/srv/reports"] } });
    expect(lifted.permissions.changes.find((c) => c.key === "pathPrefixes:*")).toMatchObject({ kind: "changed", to: "not limited", risky: true });
    const narrowed = diff({ permissions: { exec: true, commandPatterns: ["git status"] } }, { permissions: { exec: true } });
    expect(narrowed.permissions.changes).toEqual([expect.objectContaining({ key: "commandPatterns:git status", kind: "added", risky: false })]);
    const widened = diff({ permissions: { exec: true, commandPatterns: ["git status", "rm *"] } }, { permissions: { exec: true, commandPatterns: ["git status"] } });
    expect(widened.permissions.changes).toEqual([expect.objectContaining({ key: "commandPatterns:rm *", kind: "added", risky: true })]);
  });

  it("reports a changed content hash, and the same version number with other content", () => {
    expect(diff({ version: "2.0.0", contentHash: H2 }).hash).toEqual({ from: H1, to: H2, changed: true, sameVersionNumber: false });
    expect(diff({ contentHash: H2 }).hash).toMatchObject({ changed: true, sameVersionNumber: true });
    expect(diff({ version: "2.0.0", contentHash: H1.toUpperCase() }).hash.changed).toBe(false);
  });

  it("reports a publisher change strongly, including one that differs only in case", () => {
    expect(diff({ publisher: "acme-labs" }).publisher).toEqual({ from: "acme", to: "acme-labs", changed: true, caseOnly: false });
    expect(diff({ publisher: "ACME" }).publisher).toMatchObject({ changed: true, caseOnly: true });
    expect(diff({ publisher: " acme " }).publisher.changed).toBe(false);
    expect(diff({ source: "npm" }).source).toEqual({ from: "clawhub", to: "npm", changed: true });
  });

  it("carries the last approval's conditions in words", () => {
    const d = diff({}, { outcome: "approve_with_conditions", conditions: { egressHosts: ["api.example.com"], fsRead: true } });
    expect(d.baseline.conditions?.enforced).toEqual(["Network only to api.example.com"]);
    expect(diff({}).baseline.conditions).toBeNull();
  });

  it("survives hostile permission objects: huge, odd types, prototype keys, control characters", () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => `h${i}.example.com`);
    const d = diff({ permissions: { egressHosts: huge, exec: "yes", fsWrite: 0, ["__proto__"]: { polluted: true }, weird: { a: 1 } } }, { permissions: "not an object" });
    expect(d.permissions.changes.length).toBe(MAX_CHANGES);
    expect(d.permissions.omitted).toBeGreaterThan(0);
    expect(d.permissions.changes.find((c) => c.key === "exec")).toMatchObject({ kind: "added", risky: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const parsed = JSON.parse('{"__proto__": {"x": 1}, "egressHosts": [1, null, {"a": 2}, "  ", "ok.example.com\\u0000\\n"], "fsRead": [], "credentialAccess": "false"}');
    const odd = diff({ permissions: parsed }, { permissions: null });
    const keys = odd.permissions.changes.map((c) => c.key);
    expect(keys).toContain("other:__proto__");
    expect(keys).not.toContain("fsRead");
    expect(keys).not.toContain("credentialAccess");
    const shown = odd.permissions.changes.map((c) => c.to ?? "").join(" ");
    expect(shown).not.toMatch(/[\u0000-\u001f]/);
    expect(shown).toContain("(1)");

    const long = diff({ publisher: "p".repeat(100_000), permissions: { egressHosts: ["a".repeat(10_000)] } });
    expect(long.publisher.to.length).toBeLessThanOrEqual(200);
    expect(long.permissions.changes[0].to!.length).toBeLessThanOrEqual(200);

    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 5_000; i++) deep = (deep.n = {}) as Record<string, unknown>;
    const other = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i]));
    const d2 = diff({ permissions: { ...other, nested: root } }, { permissions: {} });
    expect(d2.permissions.changes.filter((c) => c.key.startsWith("other:")).length).toBeLessThanOrEqual(20);
  });
});

const CHECKS = { authorVerified: true, vulnHistoryChecked: true, dependencyAuditRun: true, dependencyAuditResult: "clean", permissionsNarrowed: true, credEgressFlagged: true };

async function file(user: Awaited<ReturnType<typeof makeUser>>, name: string, version: string, hash: string, publisher: string, permissions: object) {
  const res = await execute(user.actor, createToolRequestAction, {
    tool: { name, kind: "skill", source: "clawhub", publisher },
    version,
    contentHash: hash,
    permissions,
    justification: "Needed for the weekly report",
  });
  if (!res.ok) throw new Error(JSON.stringify(res));
  return res.data;
}

describe("getRequestDiff", () => {
  it("compares with the last approved, unrevoked version; a new publisher is recorded and becomes the tool's on approval", async () => {
    const op = await makeUser("operator");
    const lead = await makeUser("security_lead");
    const name = `diff-${rid()}`;
    const v1 = await file(op, name, "1.0.0", H1, "acme", { fsRead: true });
    expect((await getRequestDiff((await getRequest(v1.id))!)).first).toBe(true);
    const ok = await execute(lead.actor, decideToolRequestAction, {
      requestId: v1.id,
      outcome: "approve_with_conditions",
      checklist: CHECKS,
      reason: "Checked the publisher",
      conditions: { fsRead: true, egressHosts: [] },
    });
    expect(ok.ok).toBe(true);

    const v2 = await file(op, name, "2.0.0", H2, "acme-mirror", { fsRead: true, exec: true, egressHosts: ["api.example.com"] });
    const d = await getRequestDiff((await getRequest(v2.id))!);
    if (d.first) throw new Error("expected a comparison");
    expect(d.baseline).toMatchObject({ version: "1.0.0", outcome: "approve_with_conditions", decider: lead.user.email });
    expect(d.baseline.conditions?.enforced).toEqual(["No network access"]);
    expect(d.hash).toMatchObject({ from: H1, to: H2, changed: true });
    expect(d.publisher).toMatchObject({ from: "acme", to: "acme-mirror", changed: true });
    expect(
      d.permissions.changes
        .filter((c) => c.risky)
        .map((c) => c.key)
        .sort(),
    ).toEqual(["egressHosts:api.example.com", "exec"]);

    // Approving v2 moves the tool to the new publisher, unverified, and audits the change.
    await db.tool.update({ where: { name }, data: { publisherVerified: true } });
    const d2 = await execute(lead.actor, decideToolRequestAction, { requestId: v2.id, outcome: "approve", checklist: CHECKS, reason: "New maintainer confirmed" });
    expect(d2.ok).toBe(true);
    expect(await db.tool.findUniqueOrThrow({ where: { name }, select: { publisher: true, publisherVerified: true } })).toEqual({ publisher: "acme-mirror", publisherVerified: false });
    const ev = await db.auditEvent.findFirstOrThrow({ where: { action: "tool_request.decide", targetId: v2.id } });
    expect(ev.after).toMatchObject({ publisherChanged: { from: "acme", to: "acme-mirror" } });
    // The decided v2 still shows its diff against v1 (the approval before its own).
    const after = await getRequestDiff((await getRequest(v2.id))!);
    expect(after.first ? null : after.baseline.version).toBe("1.0.0");

    // A revoked approval is no baseline: v3 compares with v1 once v2 is revoked.
    if (!d2.ok) return;
    await execute(lead.actor, revokeDecisionAction, { id: (d2.data as { id: string }).id, reason: "Maintainer account compromised" });
    const v3 = await file(op, name, "3.0.0", sha("v3"), "acme-mirror", { fsRead: true });
    const d3 = await getRequestDiff((await getRequest(v3.id))!);
    expect(d3.first ? null : d3.baseline.version).toBe("1.0.0");
  });
});

describe("review form validation reports every error at once", () => {
  const id = "00000000-0000-4000-8000-000000000000";
  const empty = { authorVerified: false, vulnHistoryChecked: false, dependencyAuditRun: false, dependencyAuditResult: "", permissionsNarrowed: false, credEgressFlagged: false };
  const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join(".")).sort();

  it("no outcome chosen: the outcome and the reason both", () => {
    expect(paths(ZDecision.safeParse({ requestId: id, checklist: empty, reason: "" }))).toEqual(["outcome", "reason"]);
  });
  it("approving with a short reason: the reason and the checklist together", () => {
    expect(paths(ZDecision.safeParse({ requestId: id, outcome: "approve", checklist: { ...empty, dependencyAuditRun: true }, reason: "short", reReviewDays: 0 }))).toEqual([
      "checklist.authorVerified",
      "checklist.dependencyAuditResult",
      "checklist.vulnHistoryChecked",
      "reReviewDays",
      "reason",
    ]);
  });
  it("a field that fails its type does not hide the checklist or the grant's end time", () => {
    expect(paths(ZDecision.safeParse({ requestId: 5, outcome: "approve", checklist: empty, reason: "long enough reason" }))).toEqual([
      "checklist.authorVerified",
      "checklist.dependencyAuditRun",
      "checklist.vulnHistoryChecked",
      "requestId",
    ]);
    expect(paths(ZGrantCreate.safeParse({ agentId: 5, toolId: id, kind: "exception", reason: "long enough reason", expiresAt: "2001-01-01T00:00:00Z" }))).toEqual(["agentId", "expiresAt"]);
  });
  it("hostile shapes still give field errors, never a throw", () => {
    expect(paths(ZDecision.safeParse({ requestId: id, outcome: "approve", checklist: "x", reason: 5 }))).toContain("checklist");
    expect(ZDecision.safeParse(null).success).toBe(false);
  });
  it("a grant: the reason and the missing end time together", () => {
    expect(paths(ZGrantCreate.safeParse({ agentId: id, toolId: id, kind: "exception", reason: "x" }))).toEqual(["expiresAt", "reason"]);
    expect(paths(ZGrantCreate.safeParse({ agentId: id, toolId: id, kind: "exception", reason: "x", expiresAt: "not a date" }))).toEqual(["expiresAt", "reason"]);
  });
});
