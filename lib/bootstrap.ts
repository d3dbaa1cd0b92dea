import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record";
import { SYSTEM_ACTOR } from "@/lib/auth/actor";
import { seedDemoFleet } from "@/lib/seed/demo";
import { ensureToolCallPartitions } from "@/lib/tool-calls/partitions";
import { envVars } from "@/lib/env";

export type BootstrapResult = { adminEmail: string | null; adminPassword: string | null; createdAdmin: boolean; seeded: boolean };

/**
 * First-run setup, safe to run on every start: day partitions for tool calls, the first admin
 * (from WARDEN_ADMIN_EMAIL / WARDEN_ADMIN_PASSWORD, else generated and returned once), and the
 * demo fleet unless WARDEN_SEED=none (first run only).
 */
export async function bootstrap(env: Readonly<Record<string, string | undefined>> = envVars()): Promise<BootstrapResult> {
  await ensureToolCallPartitions();
  let adminEmail: string | null = null;
  let adminPassword: string | null = null;
  let createdAdmin = false;
  const users = await db.user.count();
  let admin = await db.user.findFirst({ where: { role: "admin", disabledAt: null }, orderBy: { createdAt: "asc" }, select: { id: true, email: true } });
  if (users === 0) {
    adminEmail = (env.WARDEN_ADMIN_EMAIL || "admin@warden.local").trim().toLowerCase();
    const given = env.WARDEN_ADMIN_PASSWORD;
    if (given && given.length < 12) throw new Error("WARDEN_ADMIN_PASSWORD must be at least 12 characters.");
    adminPassword = given || randomBytes(15).toString("base64url");
    const passwordHash = await hashPassword(adminPassword);
    admin = await db.$transaction(async (tx) => {
      const u = await tx.user.create({ data: { email: adminEmail!, name: "Administrator", role: "admin", passwordHash }, select: { id: true, email: true } });
      await recordAudit(tx, SYSTEM_ACTOR, { action: "user.create", targetType: "user", targetId: u.id, after: { email: u.email, role: "admin", firstRun: true } });
      return u;
    });
    createdAdmin = true;
  } else {
    adminEmail = admin?.email ?? null;
  }

  let seeded = false;
  if (env.WARDEN_SEED !== "none" && admin) {
    const res = await seedDemoFleet(db);
    if (res.seeded) {
      seeded = true;
      await db.$transaction((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: "seed.demo_fleet", targetType: "fleet", targetId: "demo", after: res.counts }));
    }
  }
  return { adminEmail, adminPassword: given(adminPassword, env), createdAdmin, seeded };
}

// A password the operator set themselves is not echoed back.
function given(pw: string | null, env: Readonly<Record<string, string | undefined>>) {
  return pw && !env.WARDEN_ADMIN_PASSWORD ? pw : null;
}
