import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import { REDACTED } from "@/lib/redact";
import { rid } from "@/test/factories";
import { generateSigningSecret, signedHeaders } from "@/lib/connector/signature";
import { POST } from "@/app/api/v1/connector/events/route";
import { requesterKey } from "@/lib/people/keys";
import { parseEventFast, ZToolCallEvent } from "./ingest";
import { explorerPage, getToolCall, listToolCalls, parseToolCallQuery } from "./queries";

// Who asked: the requester, chain and tier a gateway reports with each event, mapped to the directory.

async function setup(opts: { gatewayTeam?: boolean } = {}) {
  const secret = generateSigningSecret();
  const team = await db.team.create({ data: { name: `gwteam-${rid()}` } });
  const gateway = await db.gateway.create({
    data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", signingSecretEnc: seal(secret), ...(opts.gatewayTeam === false ? {} : { teamId: team.id }) },
  });
  return { gateway, secret, team };
}
async function send(g: { gateway: { id: string }; secret: string }, events: unknown[]) {
  const body = JSON.stringify({ events });
  const res = await POST(
    new Request("http://x/api/v1/connector/events", { method: "POST", headers: { ...signedHeaders(g.secret, body), "x-warden-gateway": g.gateway.id, "content-type": "application/json" }, body }),
  );
  return { status: res.status, json: (await res.json()) as { accepted?: number; rejected?: { index: number; errors: Record<string, string[]> }[] } };
}
const event = (over: Record<string, unknown> = {}) => ({ eventId: `evt-${rid()}`, occurredAt: new Date().toISOString(), agentName: "helper", toolName: "exec", decision: "allowed", ...over });
const row = (gatewayId: string, eventId: string) => db.toolCall.findFirstOrThrow({ where: { gatewayId, eventId } });

async function personWith(sender: { channel: string; accountId?: string; senderId: string }, disabled = false) {
  return db.person.create({
    data: {
      displayName: `P ${rid()}`,
      ...(disabled ? { disabledAt: new Date() } : {}),
      identities: { create: { channel: sender.channel, accountId: sender.accountId ?? "", senderId: sender.senderId, key: requesterKey(sender)! } },
    },
  });
}

describe("ingesting who asked", () => {
  it("maps a known sender to its person, stores the chain, and the team of the call's agent", async () => {
    const g = await setup();
    const agentTeam = await db.team.create({ data: { name: `agteam-${rid()}` } });
    const agent = await db.agent.create({ data: { name: `worker-${rid()}`, owner: "o", purpose: "p", gatewayId: g.gateway.id, externalId: "worker", teamId: agentTeam.id } });
    const senderId = `${Date.now()}${rid()}`;
    const p = await personWith({ channel: "telegram", accountId: "default", senderId });
    const e = event({
      agentId: "worker",
      requester: { channel: "Telegram", accountId: "default", senderId: ` ${senderId}`, senderIsOwner: false, roleIds: ["r1"], extra: "dropped" },
      chain: ["orchestrator", "worker"],
      tier: "subagent",
    });
    expect((await send(g, [e])).json).toMatchObject({ accepted: 1 });
    const r = await row(g.gateway.id, e.eventId);
    expect(r).toMatchObject({ agentId: agent.id, requesterKind: "person", personId: p.id, chain: ["orchestrator", "worker"], teamId: agentTeam.id });
    expect(r.requester).toEqual({ channel: "telegram", accountId: "default", senderId, senderIsOwner: false, roleIds: ["r1"] });
  });

  it("an unknown sender is unmapped, a disabled person's sender too; no sender is none; the gateway's team without an agent team", async () => {
    const g = await setup();
    const off = `${rid()}`;
    await personWith({ channel: "slack", accountId: "T1", senderId: off }, true);
    const unknown = event({ requester: { channel: "slack", accountId: "T1", senderId: `U-${rid()}` } });
    const disabled = event({ requester: { channel: "slack", accountId: "T1", senderId: off } });
    const channelOnly = event({ requester: { channel: "cron" } });
    const none = event();
    expect((await send(g, [unknown, disabled, channelOnly, none])).json).toMatchObject({ accepted: 4 });
    for (const [e, kind] of [
      [unknown, "unmapped"],
      [disabled, "unmapped"],
      [channelOnly, "none"],
      [none, "none"],
    ] as const) {
      const r = await row(g.gateway.id, e.eventId);
      expect(r, e.eventId).toMatchObject({ requesterKind: kind, personId: null, chain: [], teamId: g.team.id });
    }
    expect((await row(g.gateway.id, none.eventId)).requester).toBeNull();
    expect((await row(g.gateway.id, channelOnly.eventId)).requester).toEqual({ channel: "cron" });
  });

  it("a gateway without a team and an unregistered agent: no team", async () => {
    const g = await setup({ gatewayTeam: false });
    const e = event();
    await send(g, [e]);
    expect((await row(g.gateway.id, e.eventId)).teamId).toBeNull();
  });

  it("a call's decision and result events sent apart keep who asked", async () => {
    const g = await setup();
    const senderId = rid();
    const p = await personWith({ channel: "discord", senderId });
    const call = `call-${rid()}`;
    const t = Date.now();
    await send(g, [event({ eventId: `${call}.decision`, occurredAt: new Date(t).toISOString(), requester: { channel: "discord", senderId }, chain: ["a", "b"] })]);
    await send(g, [event({ eventId: `${call}.result`, occurredAt: new Date(t + 50).toISOString(), durationMs: 50 })]);
    const rows = await db.toolCall.findMany({ where: { gatewayId: g.gateway.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ requesterKind: "person", personId: p.id, chain: ["a", "b"] });
  });

  it("credentials in requester strings and chain ids are redacted", async () => {
    const g = await setup();
    const token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
    const e = event({ requester: { channel: "slack", senderId: "U1", roleIds: [token] }, chain: [`agent ${token}`] });
    await send(g, [e]);
    const r = await row(g.gateway.id, e.eventId);
    expect(JSON.stringify([r.requester, r.chain])).not.toContain(token);
    expect(JSON.stringify([r.requester, r.chain])).toContain(REDACTED);
  });

  it("refuses a bad requester, chain or tier with field errors, keeping the rest of the batch", async () => {
    const g = await setup();
    const bad = [
      event({ chain: Array.from({ length: 17 }, (_, i) => `a${i}`) }),
      event({ chain: [""] }),
      event({ chain: "a" }),
      event({ tier: "root" }),
      event({ requester: "telegram:1" }),
      event({ requester: { senderId: "x".repeat(201) } }),
      event({ requester: { senderIsOwner: "yes" } }),
      event({ requester: { roleIds: Array.from({ length: 51 }, (_, i) => `r${i}`) } }),
    ];
    const res = await send(g, [...bad, event()]);
    expect(res.json.accepted).toBe(1);
    expect(res.json.rejected?.map((x) => x.index)).toEqual(bad.map((_, i) => i));
    for (const x of res.json.rejected ?? []) expect(Object.keys(x.errors).join(",")).toMatch(/chain|tier|requester/);
  });

  it("the validation fast path agrees with the schema on requester, chain and tier", () => {
    const now = Date.now();
    const valid = [
      event({ requester: { channel: "telegram", accountId: "default", senderId: "1", senderIsOwner: true, roleIds: ["a", ""] }, chain: ["o", "w"], tier: "interactive" }),
      event({ requester: {}, chain: [], tier: "subagent" }),
      event({ requester: { channel: "", extra: 1 }, chain: Array.from({ length: 16 }, () => "x".repeat(200)) }),
    ];
    const invalid = [
      event({ requester: null }),
      event({ requester: [] }),
      event({ requester: { channel: "c".repeat(101) } }),
      event({ requester: { senderId: "a\u0000b" } }),
      event({ requester: { roleIds: "r" } }),
      event({ requester: { roleIds: [1] } }),
      event({ chain: [1] }),
      event({ chain: Array.from({ length: 17 }, () => "x") }),
      event({ chain: ["x".repeat(201)] }),
      event({ tier: null }),
    ];
    for (const e of valid) {
      const slow = ZToolCallEvent.safeParse(e);
      expect(slow.success).toBe(true);
      expect(parseEventFast(e, now)).toEqual(slow.data);
    }
    for (const e of invalid) {
      expect(ZToolCallEvent.safeParse(e).success, JSON.stringify(e)).toBe(false);
      expect(parseEventFast(e, now), JSON.stringify(e)).toBeNull();
    }
  });

  it("the explorer filters by person and by kind of requester, names the person, resolves the chain, and the CSV carries who asked", async () => {
    const g = await setup();
    const orchestrator = await db.agent.create({ data: { name: `orch-${rid()}`, owner: "o", purpose: "p", gatewayId: g.gateway.id, externalId: "orchestrator" } });
    const senderId = rid();
    const p = await personWith({ channel: "telegram", accountId: "default", senderId });
    const mine = event({ toolName: `t-${rid()}`, requester: { channel: "telegram", accountId: "default", senderId }, chain: ["orchestrator", "worker"] });
    const stranger = event({ toolName: mine.toolName, requester: { channel: "telegram", senderId: `x-${rid()}` } });
    const nobody = event({ toolName: mine.toolName });
    await send(g, [mine, stranger, nobody]);
    const q = (extra: Record<string, string>) => parseToolCallQuery({ gateway: g.gateway.id, ...extra }).query;
    const ids = async (extra: Record<string, string>) => (await listToolCalls(q(extra), { withParams: false })).rows.map((r) => r.eventId).sort();
    expect(await ids({ person: p.id })).toEqual([mine.eventId]);
    expect(await ids({ requester: "person" })).toEqual([mine.eventId]);
    expect(await ids({ requester: "unmapped" })).toEqual([stranger.eventId]);
    expect(await ids({ requester: "none" })).toEqual([nobody.eventId]);
    expect(parseToolCallQuery({ requester: "root", person: "x" }).invalid.sort()).toEqual(["person", "requester"]);
    // The explorer's total (from its series) counts the filtered view exactly.
    expect((await explorerPage(q({ person: p.id }))).page.total).toBe(1);
    expect((await explorerPage(q({ requester: "none" }))).page.total).toBe(1);
    const [row] = (await listToolCalls(q({ person: p.id }), { withParams: false })).rows;
    expect(row).toMatchObject({ personId: p.id, personName: p.displayName, requesterKind: "person", chain: ["orchestrator", "worker"] });
    const one = await getToolCall(row.id, row.occurredAt, { withParams: false });
    expect(one?.chainAgents).toEqual([
      { externalId: "orchestrator", agentId: orchestrator.id, name: orchestrator.name },
      { externalId: "worker", agentId: null, name: null },
    ]);
  });
});
