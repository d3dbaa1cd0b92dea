import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import type { RoleName } from "@/lib/auth/roles";
import { breakerIdle } from "@/lib/spend/breaker";
import { deleteModelPriceAction, deleteModelRuleAction, setModelPriceAction, setModelRuleAction } from "./actions";

afterAll(() => breakerIdle());

const price = (over: Record<string, unknown> = {}) => ({
  provider: "acme",
  model: `m-${rid()}`,
  inputUsdPerMTok: "1.25",
  outputUsdPerMTok: "10",
  cacheReadUsdPerMTok: "",
  cacheWriteUsdPerMTok: "0.5",
  source: "acme.example/pricing (2026-12)",
  ...over,
});
const audits = (targetId: string) => db.auditEvent.findMany({ where: { targetId }, orderBy: { id: "asc" } });

describe("model prices", () => {
  it("ships default prices for common models", async () => {
    const rows = await db.modelPrice.findMany({ where: { provider: { in: ["openai", "anthropic", "google"] } } });
    expect(rows.length).toBeGreaterThanOrEqual(15);
    expect(rows.find((r) => r.provider === "openai" && r.model === "gpt-4o")?.inputUsdPerMTok.toFixed()).toBe("2.5");
  });

  it("only admins add, change and delete prices; every change is audited in its transaction with before and after", async () => {
    const admin = await makeUser("admin");
    for (const role of ["security_lead", "operator", "auditor", "manager"] as RoleName[]) {
      const { actor } = await makeUser(role);
      const res = await execute(actor, setModelPriceAction, price());
      expect(res).toMatchObject({ ok: false, status: 403 });
    }
    const input = price({ provider: " ACME ", model: "Big-Model" });
    const created = await execute(admin.actor, setModelPriceAction, input);
    expect(created).toMatchObject({
      ok: true,
      data: { provider: "acme", model: "big-model", inputUsdPerMTok: "1.25", outputUsdPerMTok: "10", cacheReadUsdPerMTok: null, cacheWriteUsdPerMTok: "0.5" },
    });
    const id = (created as { data: { id: string } }).data.id;

    const { actor: lead } = await makeUser("security_lead");
    expect(await execute(lead, setModelPriceAction, { ...input, id, inputUsdPerMTok: "0" })).toMatchObject({ ok: false, status: 403 });
    expect(await execute(lead, deleteModelPriceAction, { id })).toMatchObject({ ok: false, status: 403 });

    expect(await execute(admin.actor, setModelPriceAction, { ...input, id, inputUsdPerMTok: "2" })).toMatchObject({ ok: true, data: { inputUsdPerMTok: "2" } });
    const a = await audits(id);
    expect(a.map((e) => [e.action, e.outcome])).toEqual([
      ["model_price.set", "success"],
      ["model_price.set", "success"],
    ]);
    expect(a[1].before).toMatchObject({ inputUsdPerMTok: "1.25" });
    expect(a[1].after).toMatchObject({ inputUsdPerMTok: "2", provider: "acme", model: "big-model" });

    expect(await execute(admin.actor, deleteModelPriceAction, { id })).toMatchObject({ ok: true });
    // A second delete is a conflict (the audit trail shows it was deleted), an unknown id 404.
    expect(await execute(admin.actor, deleteModelPriceAction, { id })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(admin.actor, deleteModelPriceAction, { id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ ok: false, status: 404 });
    expect((await audits(id)).map((e) => e.action)).toEqual(["model_price.set", "model_price.set", "model_price.delete"]);
    expect(await db.modelPrice.count({ where: { id } })).toBe(0);
    // Denials are audited too.
    expect(await db.auditEvent.count({ where: { action: "model_price.set", outcome: "denied", actorId: lead.kind === "user" ? lead.userId : "" } })).toBe(1);
  });

  it("refuses bad input with field errors and changes nothing", async () => {
    const { actor } = await makeUser("admin");
    const before = await db.modelPrice.count();
    const cases: [Record<string, unknown>, string][] = [
      [price({ provider: "" }), "provider"],
      [price({ provider: "open ai" }), "provider"],
      [price({ model: "x".repeat(201) }), "model"],
      [price({ inputUsdPerMTok: "-1" }), "inputUsdPerMTok"],
      [price({ inputUsdPerMTok: "abc" }), "inputUsdPerMTok"],
      [price({ outputUsdPerMTok: "10001" }), "outputUsdPerMTok"],
      [price({ outputUsdPerMTok: "0.0000001" }), "outputUsdPerMTok"],
      [price({ cacheReadUsdPerMTok: "1e3" }), "cacheReadUsdPerMTok"],
      [price({ source: "s".repeat(301) }), "source"],
      [price({ id: "not-a-uuid" }), "id"],
    ];
    for (const [input, field] of cases) {
      const res = await execute(actor, setModelPriceAction, input);
      expect(res, JSON.stringify(input)).toMatchObject({ ok: false, status: 400 });
      expect(Object.keys((res as { fieldErrors?: Record<string, string[]> }).fieldErrors ?? {})).toContain(field);
    }
    // A second row for the same provider/model: 409 with a field error, nothing stored.
    const first = price();
    expect(await execute(actor, setModelPriceAction, first)).toMatchObject({ ok: true });
    const dup = await execute(actor, setModelPriceAction, { ...first, inputUsdPerMTok: "9" });
    expect(dup).toMatchObject({ ok: false, status: 409, fieldErrors: { model: expect.any(Array) } });
    expect(await db.modelPrice.count()).toBe(before + 1);
  });

  it("creates one row when the same new price is added concurrently", async () => {
    const { actor } = await makeUser("admin");
    const input = price();
    const results = await Promise.all(Array.from({ length: 5 }, () => execute(actor, setModelPriceAction, input)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.status === 409)).toBe(true);
    expect(await db.modelPrice.count({ where: { provider: input.provider, model: input.model } })).toBe(1);
  });

  it("a changed price prices the calls that arrive afterwards", async () => {
    const { actor } = await makeUser("admin");
    const row = await db.modelPrice.findFirstOrThrow({ where: { provider: "openai", model: "gpt-4.1" } });
    const res = await execute(actor, setModelPriceAction, {
      id: row.id,
      provider: "openai",
      model: "gpt-4.1",
      inputUsdPerMTok: "4",
      outputUsdPerMTok: "8",
      cacheReadUsdPerMTok: "",
      cacheWriteUsdPerMTok: "",
      source: "negotiated",
    });
    expect(res).toMatchObject({ ok: true });
    const { ingestUsage } = await import("./ingest");
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test" } });
    const out = await ingestUsage(
      gw,
      JSON.stringify({ calls: [{ eventId: "a.llm", occurredAt: new Date().toISOString(), agentName: "x", provider: "openai", model: "gpt-4.1", tokensIn: 1_000_000, tokensOut: 0 }] }),
    );
    expect(out).toMatchObject({ ok: true, value: { accepted: 1 } });
    const call = await db.modelCall.findFirstOrThrow({ where: { gatewayId: gw.id } });
    expect([call.costSource, call.costUsd?.toFixed()]).toEqual(["price_table", "4"]);
  });
});

describe("model rules", () => {
  it("security leads and admins set and delete rules (audited); other roles are refused; bad patterns get field errors", async () => {
    const { actor: lead } = await makeUser("security_lead");
    for (const role of ["operator", "auditor", "manager"] as RoleName[]) {
      const { actor } = await makeUser(role);
      expect(await execute(actor, setModelRuleAction, { scope: "external", pattern: "openai/*", status: "allowed" })).toMatchObject({ ok: false, status: 403 });
    }
    for (const [input, field] of [
      [{ scope: "public", pattern: "openai/*", status: "allowed" }, "scope"],
      [{ scope: "external", pattern: "openai", status: "allowed" }, "pattern"],
      [{ scope: "external", pattern: "open ai/*", status: "allowed" }, "pattern"],
      [{ scope: "external", pattern: "openai/*", status: "maybe" }, "status"],
    ] as const) {
      const res = await execute(lead, setModelRuleAction, input);
      expect(res).toMatchObject({ ok: false, status: 400 });
      expect(Object.keys((res as { fieldErrors?: object }).fieldErrors ?? {})).toContain(field);
    }
    const pattern = `acme-${rid()}/*`;
    const res = await execute(lead, setModelRuleAction, { scope: "external", pattern: pattern.toUpperCase(), status: "denied", note: "no acme" });
    expect(res).toMatchObject({ ok: true, data: { pattern, status: "denied", scope: "external" } });
    const id = (res as { data: { id: string } }).data.id;
    expect(await execute(lead, setModelRuleAction, { scope: "external", pattern, status: "allowed" })).toMatchObject({ ok: false, status: 409 });
    expect(await execute(lead, setModelRuleAction, { id, scope: "external", pattern, status: "weak" })).toMatchObject({ ok: true, data: { status: "weak" } });
    expect(await execute(lead, deleteModelRuleAction, { id })).toMatchObject({ ok: true });
    const a = await audits(id);
    expect(a.map((e) => e.action)).toEqual(["model_rule.set", "model_rule.set", "model_rule.delete"]);
    expect(a[1]).toMatchObject({ before: { status: "denied" }, after: { status: "weak" } });
  });
});
