// Who asked in the exports: the explorer's CSV and the people CSV, read back with a real CSV parser.
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { makeGateway, rid } from "@/test/factories";
import { HOSTILE_CELLS, csvColumn, expectSafeCsv, neutralised } from "@/test/csv";
import { requesterKey } from "./keys";

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
session.actor = { kind: "user", userId: undefined, label: "auditor@test.local", role: "auditor", ip: "203.0.113.9", userAgent: "vitest" };

describe("who asked in CSV exports", () => {
  it("the tool-call CSV carries the person (id, name), the requester kind, channel / account / sender and the chain", async () => {
    const gw = await makeGateway();
    const sender = { channel: "telegram", accountId: "default", senderId: rid() };
    const p = await db.person.create({ data: { displayName: `=HYPERLINK("x") ${rid()}`, identities: { create: { ...sender, key: requesterKey(sender)! } } } });
    const tool = `t-${rid()}`;
    const base = { gatewayId: gw.id, agentName: "a", toolName: tool, decision: "allowed" as const, occurredAt: new Date() };
    await db.toolCall.createMany({
      data: [
        { ...base, eventId: `e1-${rid()}`, requester: sender, requesterKind: "person", personId: p.id, chain: ["orchestrator", "worker"] },
        { ...base, eventId: `e2-${rid()}`, requester: { channel: "slack", senderId: "U9" }, requesterKind: "unmapped" },
        { ...base, eventId: `e3-${rid()}` },
      ],
    });
    const { GET } = await import("@/app/api/v1/tool-calls/route");
    const res = await GET(new Request(`http://warden.test/api/v1/tool-calls?gateway=${gw.id}&tool=${tool}&format=csv`));
    expect(res.status).toBe(200);
    const rows = expectSafeCsv(await res.text());
    expect(csvColumn(rows, "requesterKind").sort()).toEqual(["none", "person", "unmapped"]);
    expect(csvColumn(rows, "personId")).toContain(p.id);
    expect(csvColumn(rows, "personName")).toContain(neutralised(p.displayName));
    expect(csvColumn(rows, "requesterSenderId").sort()).toEqual(["", "U9", sender.senderId].sort());
    expect(csvColumn(rows, "requesterChannel").sort()).toEqual(["", "slack", "telegram"]);
    expect(csvColumn(rows, "chain")).toContain("orchestrator > worker");
  });

  it("the people CSV: every text cell quoted and neutralised", async () => {
    const tag = rid();
    for (const [i, cell] of HOSTILE_CELLS.entries()) await db.person.create({ data: { displayName: `${tag} ${i} ${cell}`.slice(0, 120) } });
    const { GET } = await import("@/app/api/v1/people/route");
    const res = await GET(new Request(`http://warden.test/api/v1/people?q=${tag}&pageSize=200&format=csv`));
    expect(res.status).toBe(200);
    const rows = expectSafeCsv(await res.text());
    expect(csvColumn(rows, "name")).toHaveLength(HOSTILE_CELLS.length);
  });
});
