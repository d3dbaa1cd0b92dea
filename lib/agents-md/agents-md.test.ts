import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { importAgentsMdAction } from "./actions";
import { exportAgentsMd } from "./queries";
import type { ImportResult } from "./schema";

async function makeAgent() {
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "Platform team", purpose: "Publishes the newsletter" } });
}

/** A valid AGENTS.md with prose around two yaml blocks (so block lines differ from file lines). */
function validFile(suffix: string) {
  return `# AGENTS.md

Trust decisions for the newsletter agent.

\`\`\`bash
echo "not yaml: [ignored"
\`\`\`

## Integrations

\`\`\`yaml
integrations:
  - name: "slack-${suffix}"
    provider: "verified-team"
    reason: "Send alerts on agent decisions"
    permissions: ["write:messages", "no:files", "no:auth"]
    audit_date: "2026-05-17"
    audit_result: "3 dependencies, all current"
  - name: email-${suffix}
    provider: SendGrid
    provider_verified: true
    reason: Newsletter and transactional email
    permissions:
      - mail:send
      - no:contacts
    audit_date: 2026-01-02
    audit_result: 5 dependencies, 1 outdated (minor)
    dependency_status: 1 outdated
    security_contact:
      name: Twilio Security
      email: security@sendgrid.example
      phone: "+1 303 555 0199"
    disclosure_process: Advisories by email to the account owner.
    next_review: 2026-08-01
\`\`\`

## Graceful degradation

\`\`\`yaml
tools:
  - id: "email_send"
    primary: "email-${suffix}"
    fallback: "local_smtp"
    on_failure: "queue_and_retry"
    max_retries: 3
\`\`\`
`;
}

/** 1-based line of the first line containing `needle`. */
function lineOf(content: string, needle: string, from = 0): number {
  const lines = content.split("\n");
  const i = lines.findIndex((l, idx) => idx >= from && l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in file`);
  return i + 1;
}

async function counts() {
  const [integrations, links, agents, events] = await Promise.all([db.integration.count(), db.agentIntegration.count(), db.agent.count(), db.auditEvent.count()]);
  return { integrations, links, agents, events };
}

async function runImport(input: unknown, role: "admin" | "security_lead" = "security_lead"): Promise<ImportResult> {
  const { actor } = await makeUser(role);
  const res = await execute(actor, importAgentsMdAction, input);
  if (!res.ok) throw new Error(`unexpected ${res.status}: ${res.error}`);
  return res.data;
}

describe("AGENTS.md import: errors are reported by file line and nothing is written", () => {
  const s = rid();
  const base = validFile(s);
  const cases: [string, string, (c: string) => { line: number; path: string; message: RegExp }][] = [
    [
      "bad YAML syntax",
      base.replace("    reason: Newsletter and transactional email", "    reason: : broken: here"),
      (c) => ({ line: lineOf(c, "reason: : broken"), path: "", message: /^YAML syntax/ }),
    ],
    [
      "permissions that are not a list",
      base.replace('permissions: ["write:messages", "no:files", "no:auth"]', 'permissions: "x"'),
      (c) => ({ line: lineOf(c, 'permissions: "x"'), path: "integrations[0].permissions", message: /list of strings/ }),
    ],
    [
      "a missing name",
      base.replace(`  - name: email-${s}\n    provider: SendGrid`, "  - provider: SendGrid"),
      (c) => ({ line: lineOf(c, "  - provider: SendGrid"), path: "integrations[1].name", message: /Required/ }),
    ],
    [
      "an impossible audit_date",
      base.replace("audit_date: 2026-01-02", "audit_date: 2026-02-30"),
      (c) => ({ line: lineOf(c, "audit_date: 2026-02-30"), path: "integrations[1].audit_date", message: /YYYY-MM-DD/ }),
    ],
    [
      "a tools entry whose primary matches no integration",
      base.replace(`primary: "email-${s}"`, 'primary: "sendgrid"'),
      (c) => ({ line: lineOf(c, 'primary: "sendgrid"'), path: "tools.primary", message: /No integration named "sendgrid".*did you mean "email-/ }),
    ],
    [
      "an unknown field",
      base.replace('    audit_result: "3 dependencies, all current"', '    audit_result: "3 dependencies, all current"\n    audit_dat: "2026-05-17"'),
      (c) => ({ line: lineOf(c, "audit_dat:"), path: "integrations[0].audit_dat", message: /Unknown field "audit_dat"/ }),
    ],
    [
      "a duplicate integration",
      base.replace(`name: email-${s}`, `name: slack-${s}`),
      (c) => ({ line: lineOf(c, `name: slack-${s}`, lineOf(c, 'name: "slack-')), path: "integrations.name", message: /listed twice \(first on line \d+\)/ }),
    ],
    ["max_retries as text", base.replace("max_retries: 3", 'max_retries: "three"'), (c) => ({ line: lineOf(c, 'max_retries: "three"'), path: "tools[0].max_retries", message: /whole number/ })],
  ];

  it.each(cases)("%s", async (_label, content, expected) => {
    const agent = await makeAgent();
    const want = expected(content);
    const before = await counts();
    for (const dryRun of [true, false]) {
      const res = await runImport({ content, agentId: agent.id, dryRun });
      expect(res.ok).toBe(false);
      if (res.ok) return;
      expect(res.errors[0]).toMatchObject({ line: want.line, path: want.path });
      expect(res.errors[0].message).toMatch(want.message);
      expect(res.errors[0].column).toBeGreaterThan(0);
    }
    expect(await counts()).toEqual(before);
  });

  it("reports every error of a file at once, each at its own line, in line order", async () => {
    const agent = await makeAgent();
    const content = base
      .replace('permissions: ["write:messages", "no:files", "no:auth"]', "permissions: 42")
      .replace("audit_date: 2026-01-02", "audit_date: soon")
      .replace("max_retries: 3", "max_retries: -1");
    const res = await runImport({ content, agentId: agent.id, dryRun: true });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors.map((e) => e.line)).toEqual([lineOf(content, "permissions: 42"), lineOf(content, "audit_date: soon"), lineOf(content, "max_retries: -1")]);
  });

  it("locates errors in an indented fence and after CRLF line endings", async () => {
    const agent = await makeAgent();
    const content = [
      "# AGENTS.md",
      "",
      "- Our integrations:",
      "",
      "  ```yaml",
      "  integrations:",
      `    - name: crlf-${rid()}`,
      "      provider: P",
      "      reason: R",
      "      permissions: []",
      "      audit_date: 17 May",
      "      audit_result: ok",
      "  ```",
      "",
    ].join("\r\n");
    const res = await runImport({ content, agentId: agent.id, dryRun: true });
    expect(res).toMatchObject({ ok: false, errors: [{ line: 11, column: 19, path: "integrations[0].audit_date" }] });
  });

  it("reports an unclosed yaml fence and a file without any yaml block", async () => {
    const agent = await makeAgent();
    const unclosed = await runImport({ content: "# x\n\n```yaml\nintegrations: []\n", agentId: agent.id, dryRun: true });
    expect(unclosed).toMatchObject({ ok: false, errors: [{ line: 3, message: expect.stringMatching(/never closed/) }] });
    const none = await runImport({ content: "# Just prose\n\n```yaml\nunrelated: true\n```\n", agentId: agent.id, dryRun: true });
    expect(none).toMatchObject({ ok: false, errors: [{ line: 1, message: expect.stringMatching(/No ```yaml block/) }] });
  });

  it("refuses a bad request body with 400 field errors and an unknown agent with 404", async () => {
    const { actor } = await makeUser("security_lead");
    const before = await counts();
    expect(await execute(actor, importAgentsMdAction, { content: "" })).toMatchObject({ ok: false, status: 400, fieldErrors: { content: expect.any(Array), dryRun: expect.any(Array) } });
    expect(await execute(actor, importAgentsMdAction, { content: validFile(rid()), agentId: "nope", dryRun: true })).toMatchObject({
      ok: false,
      status: 400,
      fieldErrors: { agentId: ["Not a valid agent id."] },
    });
    expect(await execute(actor, importAgentsMdAction, { content: validFile(rid()), dryRun: true })).toMatchObject({ ok: false, status: 400, fieldErrors: { agentId: expect.any(Array) } });
    expect(await execute(actor, importAgentsMdAction, { content: validFile(rid()), agentId: "00000000-0000-4000-8000-000000000000", dryRun: false })).toMatchObject({ ok: false, status: 404 });
    expect(await counts()).toEqual(before);
  });
});

describe("AGENTS.md import: preview, apply, export", () => {
  it("a dry run previews the creates, links and degradation and writes nothing", async () => {
    const agent = await makeAgent();
    const s = rid();
    const before = await counts();
    const res = await runImport({ content: validFile(s), agentId: agent.id, dryRun: true });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res).toMatchObject({ dryRun: true, applied: false });
    const p = res.preview;
    expect(p.agent).toEqual({ id: agent.id, name: agent.name, action: "unchanged", changes: [] });
    expect(p.integrations.map((i) => [i.name, i.action])).toEqual([
      [`slack-${s}`, "create"],
      [`email-${s}`, "create"],
    ]);
    expect(p.integrations[1].changes).toContainEqual({ field: "security_contact.email", before: null, after: "security@sendgrid.example" });
    expect(p.links).toEqual({ add: [`slack-${s}`, `email-${s}`], unchanged: [], notInFile: [] });
    expect(p.degradation).toEqual([
      {
        integration: `email-${s}`,
        toolId: "email_send",
        line: expect.any(Number),
        action: "set",
        before: null,
        after: { primary: `email-${s}`, fallback: "local_smtp", onFailure: "queue_and_retry", maxRetries: 3, toolId: "email_send" },
      },
    ]);
    expect(p.summary).toEqual({ created: 2, updated: 0, unchanged: 0, linksAdded: 2, degradationChanged: 1, agentChanged: false });
    expect(p.changed).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it("apply creates integrations, links and degradation in one transaction with one audit event", async () => {
    const agent = await makeAgent();
    const s = rid();
    const before = await counts();
    const res = await runImport({ content: validFile(s), agentId: agent.id, dryRun: false }, "admin");
    expect(res).toMatchObject({ ok: true, applied: true });
    expect(await counts()).toEqual({ ...before, integrations: before.integrations + 2, links: before.links + 2, events: before.events + 1 });

    const email = await db.integration.findUniqueOrThrow({ where: { name: `email-${s}` }, include: { agents: true } });
    expect(email).toMatchObject({
      provider: "SendGrid",
      providerVerified: true,
      permissions: ["mail:send", "no:contacts"],
      auditResult: "5 dependencies, 1 outdated (minor)",
      dependencyStatus: "1 outdated",
      securityContactName: "Twilio Security",
      securityContactEmail: "security@sendgrid.example",
      securityContactPhone: "+1 303 555 0199",
      degradation: { primary: `email-${s}`, fallback: "local_smtp", onFailure: "queue_and_retry", maxRetries: 3, toolId: "email_send" },
    });
    expect(email.auditDate?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(email.nextReviewAt?.toISOString()).toBe("2026-08-01T00:00:00.000Z");
    expect(email.agents.map((l) => l.agentId)).toEqual([agent.id]);
    const slack = await db.integration.findUniqueOrThrow({ where: { name: `slack-${s}` } });
    expect(slack).toMatchObject({ providerVerified: false, degradation: null, securityContactEmail: null });

    const events = await db.auditEvent.findMany({ where: { action: "agents_md.import", targetId: agent.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "success", targetType: "agent", role: "admin" });
    expect(events[0].before).toMatchObject({ integrations: { [`email-${s}`]: null, [`slack-${s}`]: null }, degradation: {} });
    expect(events[0].after).toMatchObject({ linksAdded: [`slack-${s}`, `email-${s}`], degradation: { [`email-${s}`]: { toolId: "email_send" } }, summary: { created: 2 } });
  });

  it("an edited file previews field diffs, and integrations left out of it stay linked", async () => {
    const agent = await makeAgent();
    const s = rid();
    await runImport({ content: validFile(s), agentId: agent.id, dryRun: false });
    const edited = validFile(s)
      .replace("reason: Newsletter and transactional email", "reason: Newsletter only")
      .replace("max_retries: 3", "max_retries: 5")
      .replace(/ {2}- name: "slack-[\s\S]*?audit_result: "3 dependencies, all current"\n/, "");
    const res = await runImport({ content: edited, agentId: agent.id, dryRun: true });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.preview.integrations).toEqual([
      { name: `email-${s}`, line: expect.any(Number), action: "update", changes: [{ field: "reason", before: "Newsletter and transactional email", after: "Newsletter only" }] },
    ]);
    expect(res.preview.degradation[0]).toMatchObject({ action: "update", before: { maxRetries: 3 }, after: { maxRetries: 5 } });
    expect(res.preview.links).toEqual({ add: [], unchanged: [`email-${s}`], notInFile: [`slack-${s}`] });

    const applied = await runImport({ content: edited, agentId: agent.id, dryRun: false });
    expect(applied.ok).toBe(true);
    expect(await db.integration.findUniqueOrThrow({ where: { name: `email-${s}` } })).toMatchObject({ reason: "Newsletter only", degradation: { maxRetries: 5 } });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "agents_md.import", targetId: agent.id }, orderBy: { id: "desc" } });
    expect(event.before).toMatchObject({ integrations: { [`email-${s}`]: { reason: "Newsletter and transactional email" } } });
    expect(event.after).toMatchObject({ integrations: { [`email-${s}`]: { reason: "Newsletter only" } } });
  });

  it("import → export → import is a no-op, and the export is stable", async () => {
    const agent = await makeAgent();
    const s = rid();
    await runImport({ content: validFile(s), agentId: agent.id, dryRun: false });
    const first = await exportAgentsMd(agent.id);
    expect(first).not.toBeNull();
    const md = first!.markdown;
    expect(md).toContain("```yaml\nagent:\n");
    expect(md).toContain('permissions: [ "mail:send", "no:contacts" ]');
    expect(md).toContain(`primary: "email-${s}"`);
    // email-… sorts before slack-…
    expect(md.indexOf(`name: "email-${s}"`)).toBeLessThan(md.indexOf(`name: "slack-${s}"`));

    const before = await counts();
    for (const input of [{ content: md, agentId: agent.id }, { content: md }]) {
      const res = await runImport({ ...input, dryRun: true });
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      expect(res.preview.changed).toBe(false);
      expect(res.preview.agent.action).toBe("unchanged");
      expect(res.preview.integrations.every((i) => i.action === "unchanged")).toBe(true);
      expect(res.preview.degradation.every((d) => d.action === "unchanged")).toBe(true);
      expect(res.preview.links.add).toEqual([]);
    }
    // Applying the export changes no registry row (only the import's own audit event is added).
    const applied = await runImport({ content: md, dryRun: false });
    expect(applied).toMatchObject({ ok: true, preview: { changed: false } });
    expect(await counts()).toEqual({ ...before, events: before.events + 1 });
    expect((await exportAgentsMd(agent.id))!.markdown).toBe(md);
  });

  it("round-trips awkward text (quotes, colons, #, newlines, unicode) and YAML-looking values", async () => {
    const agent = await db.agent.create({ data: { name: `agent-${rid()}`, owner: 'Ops: "night" shift # 2', purpose: "Line one\nLine two — ünïcødé" } });
    const s = rid();
    const content = `# AGENTS.md\n\n\`\`\`yaml\nintegrations:\n  - name: "odd-${s}"\n    provider: "yes"\n    reason: |\n      Needs: "quotes", # hashes\n      and a second line ✓\n    permissions: ["null", "true", "1.5", "a: b"]\n    audit_date: "2026-03-04"\n    audit_result: "~"\n    ir_partner: "Northwind IR"\n\`\`\`\n\n\`\`\`yaml\ntools:\n  - id: odd_tool\n    primary: "odd-${s}"\n    on_failure: fail_closed\n    max_retries: 0\n\`\`\`\n`;
    expect(await runImport({ content, agentId: agent.id, dryRun: false })).toMatchObject({ ok: true, applied: true });
    const row = await db.integration.findUniqueOrThrow({ where: { name: `odd-${s}` } });
    expect(row).toMatchObject({ provider: "yes", reason: 'Needs: "quotes", # hashes\nand a second line ✓', permissions: ["null", "true", "1.5", "a: b"], auditResult: "~", irPartner: "Northwind IR" });
    expect(row.degradation).toEqual({ primary: `odd-${s}`, fallback: null, onFailure: "fail_closed", maxRetries: 0, toolId: "odd_tool" });

    const md = (await exportAgentsMd(agent.id))!.markdown;
    const again = await runImport({ content: md, agentId: agent.id, dryRun: true });
    expect(again).toMatchObject({ ok: true, preview: { changed: false, agent: { action: "unchanged" } } });
  });

  it("exports an agent without integrations, and nothing for an unknown id", async () => {
    const agent = await makeAgent();
    const out = await exportAgentsMd(agent.id);
    expect(out!.markdown).toContain("integrations: []");
    expect(out!.markdown).toContain("tools: []");
    expect(await exportAgentsMd("00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await exportAgentsMd("not-a-uuid")).toBeNull();
  });

  it("an agent: block picks the agent, creates it when new, and must agree with the chosen agent", async () => {
    const name = `created-${rid()}`;
    const s = rid();
    const withBlock = (extra: string) => `# AGENTS.md\n\n\`\`\`yaml\nagent:\n  name: ${name}\n${extra}\`\`\`\n\n${validFile(s)}`;

    const missing = await runImport({ content: withBlock(""), dryRun: true });
    expect(missing).toMatchObject({ ok: false, errors: [{ line: 5, path: "agent.name", message: expect.stringMatching(/no agent named/) }] });

    const content = withBlock("  owner: Growth team\n  purpose: Writes the weekly digest\n");
    const preview = await runImport({ content, dryRun: true });
    expect(preview).toMatchObject({ ok: true, preview: { agent: { id: null, name, action: "create" } } });
    expect(await db.agent.findUnique({ where: { name } })).toBeNull();

    const applied = await runImport({ content, dryRun: false });
    expect(applied.ok).toBe(true);
    const created = await db.agent.findUniqueOrThrow({ where: { name }, include: { integrations: true } });
    expect(created).toMatchObject({ owner: "Growth team", purpose: "Writes the weekly digest" });
    expect(created.integrations).toHaveLength(2);

    const other = await makeAgent();
    const mismatch = await runImport({ content, agentId: other.id, dryRun: true });
    expect(mismatch).toMatchObject({ ok: false, errors: [{ line: 5, path: "agent.name", message: expect.stringMatching(/but you chose/) }] });

    const renamed = await runImport({ content: content.replace("owner: Growth team", "owner: Lifecycle team"), dryRun: true });
    expect(renamed).toMatchObject({ ok: true, preview: { agent: { action: "update", changes: [{ field: "owner", before: "Growth team", after: "Lifecycle team" }] } } });
  });
});

describe("AGENTS.md import: authorization", () => {
  it.each(["manager", "auditor", "operator"] as const)("denies %s with 403, audits the denial and writes nothing else", async (role) => {
    const agent = await makeAgent();
    const { actor } = await makeUser(role);
    const before = await counts();
    for (const dryRun of [true, false]) {
      const res = await execute(actor, importAgentsMdAction, { content: validFile(rid()), agentId: agent.id, dryRun });
      expect(res).toMatchObject({ ok: false, status: 403, code: "forbidden" });
    }
    const denials = await db.auditEvent.findMany({ where: { action: "agents_md.import", outcome: "denied", actorLabel: actor.label } });
    expect(denials).toHaveLength(2);
    expect(denials[0]).toMatchObject({ targetType: "scope", targetId: "registry:write", role });
    expect(await counts()).toEqual({ ...before, events: before.events + 2 });
  });

  it("refuses an anonymous caller with 401", async () => {
    expect(await execute(null, importAgentsMdAction, { content: "x", dryRun: true })).toMatchObject({ ok: false, status: 401 });
  });
});
