import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { createAgentAction, updateAgentAction } from "./actions";
import { getAgent } from "./queries";

describe("agents registry", () => {
  it("registers an agent with safe defaults and an audit row", async () => {
    const { actor } = await makeUser("security_lead");
    const res = await execute(actor, createAgentAction, { name: `bot-${rid()}`, owner: "Support team", purpose: "Answers tickets", channels: ["slack"], credentialRefs: ["ZENDESK_TOKEN"] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data).toMatchObject({ scope: "internal", status: "active", posture: { execMode: "deny", fsWorkspaceOnly: true, canDelegate: false } });
    expect(await db.auditEvent.count({ where: { action: "agent.create", targetId: res.data.id } })).toBe(1);
  });

  it("an update changes only the fields sent", async () => {
    const { actor } = await makeUser("admin");
    const res = await execute(actor, createAgentAction, {
      name: `keep-${rid()}`,
      owner: "o",
      purpose: "p",
      channels: ["webchat"],
      fallbackModels: ["openai/gpt-4o-mini"],
      model: "anthropic/claude-sonnet-4-5",
      scope: "external",
      posture: { execMode: "full", canDelegate: true },
    });
    if (!res.ok) throw new Error(JSON.stringify(res));
    const upd = await execute(actor, updateAgentAction, { id: res.data.id, purpose: "changed" });
    expect(upd.ok).toBe(true);
    const a = await db.agent.findUniqueOrThrow({ where: { id: res.data.id } });
    expect(a).toMatchObject({
      purpose: "changed",
      channels: ["webchat"],
      scope: "external",
      fallbackModels: ["openai/gpt-4o-mini"],
      posture: expect.objectContaining({ execMode: "full", canDelegate: true }),
    });
    expect(await execute(actor, updateAgentAction, { id: res.data.id })).toMatchObject({ ok: false, status: 400 });
    // The stored agent carries the risky-posture flags; a weak fallback matters once it has tools.
    expect((await getAgent(a.id))!.flags.map((f) => f.id).sort()).toEqual(["delegation", "exec-unrestricted", "external-exec"]);
    const tool = await db.tool.create({ data: { name: `t-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    await db.grant.create({ data: { agentId: a.id, toolId: tool.id, kind: "grant", reason: "test", grantedById: (await db.user.findFirstOrThrow()).id } });
    expect((await getAgent(a.id))!.flags.map((f) => f.id).sort()).toEqual(["delegation", "exec-unrestricted", "external-exec", "weak-fallback"]);
  });

  it("refuses credential values, bad names and duplicates", async () => {
    const { actor } = await makeUser("admin");
    const name = `dup-${rid()}`;
    await execute(actor, createAgentAction, { name, owner: "o", purpose: "p" });
    expect(await execute(actor, createAgentAction, { name, owner: "o", purpose: "p" })).toMatchObject({ ok: false, status: 409, fieldErrors: { name: ["Already in use."] } });
    const bad = await execute(actor, createAgentAction, { name: "Bad Name!", owner: "", purpose: "p", credentialRefs: ["sk-live-abcdef123456"] });
    expect(bad).toMatchObject({ ok: false, status: 400 });
    if (!bad.ok) expect(Object.keys(bad.fieldErrors!).sort()).toEqual(["credentialRefs.0", "name", "owner"]);
  });

  it.each(["operator", "auditor", "manager"] as const)("%s cannot register agents", async (role) => {
    const { actor } = await makeUser(role);
    expect(await execute(actor, createAgentAction, { name: `x-${rid()}`, owner: "o", purpose: "p" })).toMatchObject({ ok: false, status: 403 });
  });
});
