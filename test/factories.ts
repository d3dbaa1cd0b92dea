import { randomBytes } from "node:crypto";
import type { Actor } from "@/lib/auth/actor";
import type { RoleName } from "@/lib/auth/roles";

export const rid = () => randomBytes(5).toString("hex");

/** A user row plus an Actor acting as that user (each test makes its own, with random ids). */
export async function makeUser(role: RoleName, opts: { password?: string } = {}) {
  const { db } = await import("@/lib/db");
  const { hashPassword } = await import("@/lib/auth/password");
  const email = `${role}-${rid()}@test.local`;
  const user = await db.user.create({
    data: { email, name: `${role} ${email}`, role, passwordHash: opts.password ? await hashPassword(opts.password) : null },
  });
  const actor: Actor = { kind: "user", userId: user.id, label: email, role, ip: "203.0.113.9", userAgent: "vitest" };
  return { user, actor };
}

/** A bare gateway (no secret) and an agent on it, for query tests. */
export async function makeGateway() {
  const { db } = await import("@/lib/db");
  return db.gateway.create({ data: { name: `gw-${rid()}`, kind: "generic", environment: "test" } });
}
export async function makeAgent(gatewayId: string) {
  const { db } = await import("@/lib/db");
  return db.agent.create({ data: { name: `agent-${rid()}`, owner: "team-x", purpose: "tests", gatewayId } });
}
