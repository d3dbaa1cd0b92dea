import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { execute } from "@/lib/action";
import { makeUser, rid } from "@/test/factories";
import { registerGatewayAction } from "./actions";

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK;
  delete process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK;
});
afterEach(() => {
  if (saved === undefined) delete process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK;
  else process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK = saved;
});

const input = (adminWsUrl: string) => ({ name: `gw-${rid()}`, kind: "openclaw", environment: "prod", adminWsUrl, adminToken: "token-123456" });

describe("gateway registration: the admin WebSocket URL passes the gateway address policy", () => {
  it.each([
    "ws://169.254.169.254/",
    "ws://169.254.169.254:80/latest/meta-data/",
    "ws://[fd00:ec2::254]/",
    "ws://100.100.100.200/",
    "ws://[::ffff:169.254.169.254]/",
    "ws://127.0.0.1:18789",
    "ws://localhost:18789",
    "ws://[::1]:18789",
    "ws://2130706433:18789",
    "ws://0.0.0.0:18789",
    "ws://[fe80::1]/",
    "wss://192.0.2.10/",
    "wss://[2001:db8::1]/",
    "ws://224.0.0.1/",
    "ws://255.255.255.255/",
  ])("refuses %s with a field error and creates nothing", async (url) => {
    const { actor } = await makeUser("admin");
    const body = input(url);
    const r = await execute(actor, registerGatewayAction, body);
    expect(r).toMatchObject({ ok: false, status: 400, fieldErrors: { adminWsUrl: [expect.any(String)] } });
    expect(await db.gateway.count({ where: { name: body.name } })).toBe(0);
  });

  it("accepts private-network and public gateways; loopback only with WARDEN_GATEWAY_ALLOW_LOOPBACK=1", async () => {
    const { actor } = await makeUser("admin");
    for (const url of ["ws://10.0.0.5:18789", "wss://192.168.1.20/ws", "ws://100.64.0.7:18789", "ws://[fd12::7]:18789", "wss://8.8.8.8/"]) {
      expect((await execute(actor, registerGatewayAction, input(url))).ok, url).toBe(true);
    }
    process.env.WARDEN_GATEWAY_ALLOW_LOOPBACK = "1";
    expect((await execute(actor, registerGatewayAction, input("ws://127.0.0.1:18789"))).ok).toBe(true);
    const meta = await execute(actor, registerGatewayAction, input("ws://169.254.169.254/"));
    expect(meta).toMatchObject({ ok: false, status: 400, fieldErrors: { adminWsUrl: [expect.stringMatching(/metadata/)] } });
  });
});

describe("gateway policy expiry setting", () => {
  it("security leads set it (audited, pushed as a policy refresh); operators cannot; bad input changes nothing", async () => {
    const { setGatewayPolicyExpiryAction } = await import("./actions");
    const gw = await db.gateway.create({ data: { name: `gw-${rid()}`, kind: "openclaw", environment: "test", lastSeenAt: new Date() } });
    const { actor: lead } = await makeUser("security_lead");
    const { actor: operator } = await makeUser("operator");
    expect(await execute(operator, setGatewayPolicyExpiryAction, { id: gw.id, ttlHours: 1, onExpiry: "keep_last" })).toMatchObject({ ok: false, status: 403 });
    for (const bad of [{ ttlHours: 0 }, { ttlHours: 721 }, { ttlHours: "abc" }, { onExpiry: "allow_all" }]) {
      expect(await execute(lead, setGatewayPolicyExpiryAction, { id: gw.id, ttlHours: 2, onExpiry: "deny", ...bad })).toMatchObject({ ok: false, status: 400 });
    }
    expect(await db.gateway.findUniqueOrThrow({ where: { id: gw.id }, select: { policyTtlSeconds: true, onPolicyExpiry: true } })).toEqual({ policyTtlSeconds: null, onPolicyExpiry: "deny" });
    await db.gatewayCommand.deleteMany({ where: { gatewayId: gw.id } });
    expect(await execute(lead, setGatewayPolicyExpiryAction, { id: gw.id, ttlHours: 1.5, onExpiry: "keep_last" })).toMatchObject({
      ok: true,
      data: { ttlSeconds: 5400, onExpiry: "keep_last", changed: true },
    });
    expect(await db.auditEvent.count({ where: { action: "gateway.policy_expiry", targetId: gw.id, outcome: "success" } })).toBe(1);
    expect(await db.gatewayCommand.count({ where: { gatewayId: gw.id, type: "policy_refresh", state: "pending" } })).toBe(1);
    // The same values again: no change, no audit row.
    expect(await execute(lead, setGatewayPolicyExpiryAction, { id: gw.id, ttlHours: 1.5, onExpiry: "keep_last" })).toMatchObject({ ok: true, data: { changed: false } });
    expect(await db.auditEvent.count({ where: { action: "gateway.policy_expiry", targetId: gw.id, outcome: "success" } })).toBe(1);
    expect(await execute(lead, setGatewayPolicyExpiryAction, { id: gw.id, ttlHours: "", onExpiry: "deny" })).toMatchObject({ ok: true, data: { ttlSeconds: null } });
  });
});
