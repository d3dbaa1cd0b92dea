import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto";
import type { Actor } from "@/lib/auth/actor";
import { can, type RoleName } from "@/lib/auth/roles";
import { makeUser, rid } from "@/test/factories";
import { scoreFleetPosture } from "./score";
import { auditDomainOf, isPlainRemoteWs, isUnpinnedModel, scoreItems } from "./rules";
import { DOMAIN_IDS, type DomainId, type FleetPosture, type PostureItem } from "./types";
import { GET } from "@/app/api/v1/posture/route";

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
const asRole = (role: RoleName | null) => {
  session.actor = role ? { kind: "user", label: `${role}-${rid()}@test.local`, role, ip: "203.0.113.9", userAgent: "vitest" } : null;
};

const DAY = 86_400_000;
const domain = (p: FleetPosture, id: DomainId) => p.domains.find((d) => d.id === id)!;
const check = (p: FleetPosture, id: DomainId, itemId: string) => domain(p, id).items.find((i) => i.id === itemId);

describe("twelve-domain posture", () => {
  it("scores a risky fleet bad where it is risky, and fixing it raises the score", async () => {
    // This file has its own database: the fleet below is the whole fleet.
    const lead = await makeUser("security_lead");
    const gw = await db.gateway.create({
      data: { name: `gw-${rid()}`, kind: "openclaw", environment: "prod", signingSecretEnc: seal("s"), lastSeenAt: new Date(), inventory: { agents: [], tools: [] } },
    });
    const agent = await db.agent.create({
      data: {
        name: `agent-${rid()}`,
        owner: "ops",
        purpose: "support",
        gatewayId: gw.id,
        scope: "internal",
        model: "claude-sonnet-4-5-20250929",
        fallbackModels: ["gpt-5-2025-08-07"],
        credentialRefs: ["SUPPORT_TOKEN"],
        channels: ["slack"],
        posture: { execMode: "full", fsWorkspaceOnly: false, canDelegate: false, dmPolicy: "allowlist", groupPolicy: "allowlist" },
      },
    });
    const tool = await db.tool.create({ data: { name: `tool-${rid()}`, kind: "tool", source: "internal", publisher: "us" } });
    await db.grant.create({ data: { agentId: agent.id, toolId: tool.id, kind: "grant", reason: "test", grantedById: lead.user.id } });
    const bind = await db.finding.create({
      data: {
        kind: "posture",
        severity: "high",
        gatewayId: gw.id,
        title: "Gateway bound beyond loopback",
        detail: { checkId: "warden.bind_beyond_loopback", source: "warden inventory", detail: "0.0.0.0" },
      },
    });

    const before = await scoreFleetPosture();
    expect(before.domains.map((d) => d.id)).toEqual([...DOMAIN_IDS]);
    expect(check(before, "scoping", "exec")).toMatchObject({ status: "bad", evidenceHref: `/agents/${agent.id}` });
    expect(check(before, "scoping", "fs")).toMatchObject({ status: "bad" });
    expect(domain(before, "scoping").status).toBe("bad");
    expect(check(before, "cost", "fleet_budget")).toMatchObject({ status: "bad", evidenceHref: "/spend" });
    expect(check(before, "cost", "agent_budgets")).toMatchObject({ status: "bad" });
    expect(domain(before, "cost").status).toBe("bad");
    expect(check(before, "incident_response", "playbooks")).toMatchObject({ status: "bad", evidenceHref: "/playbooks" });
    expect(domain(before, "incident_response").status).toBe("bad");
    expect(check(before, "network", "bind")).toMatchObject({ status: "bad" });
    expect(check(before, "network", "bind")!.evidenceHref).toContain("/findings?kind=posture");

    // Fix: scoped exec and filesystem, budgets that stop spending, a drilled playbook with contacts, loopback bind.
    await db.agent.update({ where: { id: agent.id }, data: { posture: { execMode: "allowlist", fsWorkspaceOnly: true, canDelegate: false, dmPolicy: "allowlist", groupPolicy: "allowlist" } } });
    await db.budget.create({ data: { agentId: null, dailyUsd: "100.00", onLimit: "block_fleet" } });
    await db.budget.create({ data: { agentId: agent.id, dailyUsd: "20.00", onLimit: "suspend_agent" } });
    const pb = await db.playbook.create({
      data: { name: `pb-${rid()}`, trigger: "vendor_advisory", contacts: [{ kind: "oncall", name: "Ops", email: "ops@example.com" }], breakGlass: "SSH via the bastion, not through the agents." },
    });
    await db.drill.create({ data: { playbookId: pb.id, runById: lead.user.id, startedAt: new Date(Date.now() - 5 * DAY) } });
    await db.finding.update({ where: { id: bind.id }, data: { status: "dismissed", dismissReason: "Rebound to loopback" } });

    const after = await scoreFleetPosture();
    for (const id of ["scoping", "cost", "incident_response", "network"] as const) {
      expect(domain(after, id).score, id).toBeGreaterThan(domain(before, id).score);
      expect(domain(after, id).status, id).not.toBe("bad");
    }
    expect(check(after, "scoping", "exec")!.status).toBe("good");
    expect(check(after, "cost", "fleet_budget")!.status).toBe("good");
    expect(check(after, "cost", "breaker")!.status).toBe("good");
    expect(check(after, "incident_response", "drilled")!.status).toBe("good");
    expect(check(after, "incident_response", "contacts")!.status).toBe("good");
    expect(check(after, "network", "bind")!.status).toBe("good");
    expect(after.score).toBeGreaterThan(before.score);
    // The overall score is the average of the domains Warden knows anything about.
    const known = after.domains.filter((d) => d.status !== "unknown");
    expect(after.score).toBe(Math.round(known.reduce((n, d) => n + d.score, 0) / known.length));

    // Every check links to its evidence and says what to do next.
    for (const d of after.domains) {
      for (const i of d.items) {
        expect(i.evidenceHref, `${d.id}/${i.id}`).toMatch(/^\/[a-z]/);
        expect(i.nextStep.length, `${d.id}/${i.id}`).toBeGreaterThan(5);
        expect(i.detail.length, `${d.id}/${i.id}`).toBeGreaterThan(5);
      }
    }
  });

  it("sorts security-audit findings into their domains and reads admin WebSockets, delegation traffic and shared credentials", async () => {
    const gw = await db.gateway.create({
      data: {
        name: `gw-${rid()}`,
        kind: "openclaw",
        environment: "prod",
        signingSecretEnc: seal("s"),
        adminWsUrl: "ws://10.0.0.5:18789",
        lastSeenAt: new Date(),
        securityAudit: { ts: 1, summary: { critical: 1, warn: 1, info: 0 }, findings: [] },
      },
    });
    const audit = (checkId: string, severity: "critical" | "medium") =>
      db.finding.create({
        data: {
          kind: "posture",
          severity,
          gatewayId: gw.id,
          title: `${checkId} title`,
          detail: { checkId, source: "openclaw security audit", auditSeverity: severity === "critical" ? "critical" : "warn" },
        },
      });
    await audit("fs.config.perms_world_readable", "critical");
    await audit("logging.redact_off", "medium");
    const a = await db.agent.create({ data: { name: `talker-${rid()}`, owner: "ops", purpose: "t", gatewayId: gw.id, credentialRefs: ["SHARED_KEY"], posture: { canDelegate: false } } });
    const b = await db.agent.create({ data: { name: `other-${rid()}`, owner: "ops", purpose: "t", gatewayId: gw.id, credentialRefs: ["SHARED_KEY"] } });
    await db.toolCall.createMany({
      data: [{ occurredAt: new Date(Date.now() - 3_600_000), gatewayId: gw.id, eventId: `e-${rid()}`, agentId: a.id, agentName: a.name, toolName: "sessions_send", decision: "allowed" }],
    });

    const p = await scoreFleetPosture();
    expect(check(p, "secrets", "audit_secrets")).toMatchObject({ status: "bad" });
    expect(check(p, "secrets", "audit_secrets")!.detail).toContain("fs.config.perms_world_readable");
    expect(check(p, "logging", "audit_logging")).toMatchObject({ status: "warn" });
    expect(check(p, "network", "admin_ws")).toMatchObject({ status: "bad", evidenceHref: `/gateways/${gw.id}` });
    expect(check(p, "inter_agent", "monitored")).toMatchObject({ status: "warn" });
    expect(check(p, "inter_agent", "monitored")!.detail).toContain(a.name);
    expect(check(p, "secrets", "isolated")).toMatchObject({ status: "bad" });
    expect(check(p, "secrets", "isolated")!.detail).toContain("SHARED_KEY");
    expect([a.name, b.name].every((n) => check(p, "secrets", "isolated")!.detail.includes(n))).toBe(true);
    expect(check(p, "logging", "telemetry")!.detail).not.toContain(gw.name);
  });

  it("keeps the building blocks honest", () => {
    expect(auditDomainOf("gateway.bind_no_auth")).toBe("network");
    expect(auditDomainOf("fs.state_dir.perms_world_writable")).toBe("secrets");
    expect(auditDomainOf("channels.telegram.dm.open")).toBe("channels");
    expect(auditDomainOf("hooks.default_session_key_unset")).toBe("webhooks");
    expect(auditDomainOf("plugins.unpinned")).toBe("dependencies");
    expect(auditDomainOf("models.small_params")).toBe("models");
    expect(isPlainRemoteWs("ws://10.0.0.5:18789")).toBe(true);
    expect(isPlainRemoteWs("ws://127.0.0.1:18789")).toBe(false);
    expect(isPlainRemoteWs("ws://[::1]:18789")).toBe(false);
    expect(isPlainRemoteWs("wss://gw.example.com")).toBe(false);
    expect(isUnpinnedModel("claude-sonnet-latest")).toBe(true);
    expect(isUnpinnedModel("claude-sonnet")).toBe(true);
    expect(isUnpinnedModel("claude-sonnet-4-5-20250929")).toBe(false);
    const i = (status: PostureItem["status"]): PostureItem => ({ id: status, check: "c", status, detail: "d", evidenceHref: "/", nextStep: "n" });
    expect(scoreItems([i("good"), i("warn"), i("bad"), i("unknown")])).toEqual({ score: 50, status: "bad" });
    expect(scoreItems([i("good"), i("unknown")])).toEqual({ score: 100, status: "good" });
    expect(scoreItems([i("unknown")])).toEqual({ score: 0, status: "unknown" });
  });

  it("every role, managers included, can read the posture over the API; anonymous callers cannot", async () => {
    for (const role of ["admin", "security_lead", "operator", "auditor", "manager"] as const) {
      expect(can(role, "dashboard:read")).toBe(true);
      asRole(role);
      const res = await GET();
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: FleetPosture };
      expect(body.data.domains).toHaveLength(12);
    }
    asRole(null);
    expect((await GET()).status).toBe(401);
  });
});
