import "server-only";
import type { z } from "zod";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { seal } from "@/lib/crypto";
import { generateSigningSecret } from "@/lib/connector/signature";
import { forgetGatewayCredentials } from "@/lib/connector/auth";
import { checkAdminWsTarget } from "@/lib/containment/admin-ws";
import { gatewayWhereOf, teamScopeOf } from "@/lib/teams/scope";
import type { ZGatewayPolicyExpiry, ZGatewayRegister, ZGatewayRotate } from "./schema";

const PUBLIC = { id: true, name: true, kind: true, environment: true, adminWsUrl: true, createdAt: true } as const;

/** Register a gateway. Its signing secret is returned once, and stored only sealed. */
export async function registerGateway(actor: Actor, input: z.infer<typeof ZGatewayRegister>) {
  if (input.adminWsUrl) {
    // The address policy for gateways (checked again before every connection: DNS may change).
    const target = await checkAdminWsTarget(input.adminWsUrl);
    if (!target.ok) throw new AppError("invalid", "This admin WebSocket URL is not allowed.", { adminWsUrl: [target.error] });
  }
  const signingSecret = generateSigningSecret();
  try {
    const gateway = await db.$transaction(async (tx) => {
      const g = await tx.gateway.create({
        data: {
          name: input.name,
          kind: input.kind,
          environment: input.environment,
          adminWsUrl: input.adminWsUrl ?? null,
          adminTokenEnc: input.adminToken ? seal(input.adminToken) : null,
          signingSecretEnc: seal(signingSecret),
          signingSecretRotatedAt: new Date(),
          // A team-scoped operator's gateway joins their team.
          teamId: teamScopeOf(actor)?.teamId ?? null,
        },
        select: PUBLIC,
      });
      await recordAudit(tx, actor, { action: "gateway.register", targetType: "gateway", targetId: g.id, after: { ...g, adminToken: input.adminToken ? "set" : "none" } });
      return g;
    });
    return { gateway, signingSecret };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "A gateway with this name exists.", { name: ["Already in use."] });
    throw err;
  }
}

/** Issue a new signing secret; the old one keeps working for `graceHours` so the gateway can switch. */
export async function rotateGatewaySecret(actor: Actor, input: z.infer<typeof ZGatewayRotate>) {
  const signingSecret = generateSigningSecret();
  const gateway = await db.$transaction(async (tx) => {
    // Another team's gateway is "no such gateway" for a team-scoped operator.
    const g = await tx.gateway.findFirst({ where: { id: input.id, ...gatewayWhereOf(teamScopeOf(actor)) }, select: { id: true, name: true, signingSecretEnc: true } });
    if (!g) throw new AppError("not_found", "No such gateway.");
    const until = new Date(Date.now() + input.graceHours * 3_600_000);
    // Conditional on the secret read: of concurrent rotations exactly one replaces it (and audits),
    // so the grace-period secret is always the one the gateway actually had.
    const claimed = await tx.gateway.updateMany({
      where: { id: g.id, signingSecretEnc: g.signingSecretEnc },
      data: {
        signingSecretEnc: seal(signingSecret),
        signingSecretRotatedAt: new Date(),
        previousSecretEnc: input.graceHours > 0 ? g.signingSecretEnc : null,
        previousSecretUntil: input.graceHours > 0 ? until : null,
      },
    });
    if (claimed.count !== 1) throw new AppError("conflict", "This gateway's secret was rotated by someone else a moment ago.");
    const updated = await tx.gateway.findUniqueOrThrow({ where: { id: g.id }, select: PUBLIC });
    await recordAudit(tx, actor, {
      action: "gateway.rotate_secret",
      targetType: "gateway",
      targetId: g.id,
      after: { graceHours: input.graceHours, previousValidUntil: input.graceHours > 0 ? until : null },
    });
    return updated;
  });
  forgetGatewayCredentials(gateway.id);
  return { gateway, signingSecret };
}

/**
 * Set how long this gateway's signed policy stays valid and what the plugin does past it. Audited;
 * the database trigger on these columns marks the cached policy stale and pushes a policy refresh,
 * so the gateway holds a policy with the new expiry within seconds.
 */
export async function setGatewayPolicyExpiry(actor: Actor, input: z.infer<typeof ZGatewayPolicyExpiry>) {
  const ttlSeconds = input.ttlHours === null ? null : Math.round(input.ttlHours * 3600);
  return db.$transaction(async (tx) => {
    const g = await tx.gateway.findFirst({ where: { id: input.id, ...gatewayWhereOf(teamScopeOf(actor)) }, select: { id: true, name: true, policyTtlSeconds: true, onPolicyExpiry: true } });
    if (!g) throw new AppError("not_found", "No such gateway.");
    const [locked] = await tx.$queryRaw<
      { policy_ttl_seconds: number | null; on_policy_expiry: string }[]
    >`select policy_ttl_seconds, on_policy_expiry from gateways where id = ${g.id}::uuid for update`;
    const before = { ttlSeconds: locked.policy_ttl_seconds, onExpiry: locked.on_policy_expiry };
    const after = { ttlSeconds, onExpiry: input.onExpiry };
    if (before.ttlSeconds === after.ttlSeconds && before.onExpiry === after.onExpiry) return { id: g.id, ...after, changed: false };
    await tx.gateway.update({ where: { id: g.id }, data: { policyTtlSeconds: ttlSeconds, onPolicyExpiry: input.onExpiry } });
    await recordAudit(tx, actor, { action: "gateway.policy_expiry", targetType: "gateway", targetId: g.id, before, after: { ...after, gateway: g.name } });
    return { id: g.id, ...after, changed: true };
  });
}
