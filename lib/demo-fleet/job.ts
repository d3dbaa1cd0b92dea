import "server-only";
import { db } from "@/lib/db";
import { unseal } from "@/lib/crypto";
import { env } from "@/lib/env";
import { replicaId } from "@/lib/replica";
import { defineJob } from "@/lib/jobs/registry";
import { holdExitFor, shutdownSignal } from "@/lib/shutdown";
import { LIVE_CALLS_PER_MINUTE } from "./traffic";
import { startDemoFleet, type SimGatewaySpec } from "./simulator";

/**
 * The live demo fleet in the server process: the simulated gateways of lib/demo-fleet/simulator.ts
 * for the gateways the demo seed created, talking to this server over HTTP.
 *
 * Runs once across replicas, as a background job (lib/jobs/registry.ts) whose run lasts a shift:
 * the replica that claims `demo-fleet` runs the simulator and keeps the job's lease alive every few
 * seconds, so no other replica claims it; at the end of the shift (or on SIGTERM) it stops and the
 * lease is released, and whichever replica ticks next takes over within a second or two. A replica
 * that dies holding it loses the lease after LEASE_MS. A shift reloads the gateways and secrets
 * (a rotated secret, a deleted demo gateway). Off with WARDEN_DEMO_FLEET=off, and when the demo
 * was not seeded (WARDEN_SEED=none).
 */
export const DEMO_FLEET_JOB = "demo-fleet";
const LEASE_MS = 20_000;
const HEARTBEAT_MS = 5_000;
const SHIFT_MS = 30 * 60_000;

/** The demo gateways named by the seed, with their signing secrets (server-side only) and agents. */
export async function demoFleetSpecs(): Promise<SimGatewaySpec[]> {
  const setting = await db.setting.findUnique({ where: { key: "demo_seeded" } });
  const ids = (setting?.value as { gateways?: unknown } | null)?.gateways;
  if (!Array.isArray(ids) || !ids.length) return [];
  const gateways = await db.gateway.findMany({
    where: { id: { in: ids.filter((x): x is string => typeof x === "string") }, signingSecretEnc: { not: null } },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      signingSecretEnc: true,
      agents: { orderBy: { name: "asc" }, select: { name: true, externalId: true, model: true, fallbackModels: true, channels: true, posture: true } },
    },
  });
  return gateways.map((g) => ({
    id: g.id,
    name: g.name,
    secret: unseal(g.signingSecretEnc!),
    agents: g.agents.map((a) => ({
      externalId: a.externalId ?? a.name,
      name: a.name,
      model: a.model,
      fallbackModels: a.fallbackModels,
      channels: a.channels,
      posture: (a.posture && typeof a.posture === "object" ? a.posture : {}) as Record<string, unknown>,
    })),
  }));
}

/** Where the simulated gateways reach this server: WARDEN_DEMO_FLEET_URL, else this process's own port on loopback. */
export function demoFleetUrl(): string {
  const e = env();
  if (e.WARDEN_DEMO_FLEET_URL) return e.WARDEN_DEMO_FLEET_URL.replace(/\/+$/, "");
  const host = e.HOST && !["0.0.0.0", "::", "localhost"].includes(e.HOST) ? e.HOST : "127.0.0.1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${e.PORT ?? 3000}`;
}

/** One shift of the simulator on this replica (the job's run). */
export async function runDemoFleetShift(opts: { shiftMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const stop = shutdownSignal();
  if (stop.aborted) return;
  const specs = await demoFleetSpecs();
  if (!specs.length) return;
  const callsPerMinute = env().WARDEN_DEMO_FLEET_CALLS_PER_MINUTE ?? LIVE_CALLS_PER_MINUTE;
  const fleet = startDemoFleet(demoFleetUrl(), specs, { callsPerMinute, log: (m) => console.log(`warden: ${m}`) });
  const end = new AbortController();
  const finish = () => end.abort();
  stop.addEventListener("abort", finish, { once: true });
  opts.signal?.addEventListener("abort", finish, { once: true });
  const timer = setTimeout(finish, opts.shiftMs ?? SHIFT_MS);
  const me = replicaId();
  try {
    while (!end.signal.aborted) {
      await new Promise<void>((r) => {
        const done = () => {
          clearTimeout(t);
          end.signal.removeEventListener("abort", done);
          r();
        };
        const t = setTimeout(done, HEARTBEAT_MS);
        end.signal.addEventListener("abort", done, { once: true });
      });
      if (end.signal.aborted) break;
      // Keep the lease while this replica simulates; a lease lost (another replica took the job over
      // after a long stall) ends the shift, so two replicas never simulate at once for long.
      const kept = await db.$executeRaw`
        update background_jobs set lease_until = now() + ${LEASE_MS} * interval '1 millisecond'
         where name = ${DEMO_FLEET_JOB} and lease_owner = ${me} and lease_until > now()`.catch(() => -1);
      if (kept === 0) break;
    }
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", finish);
    const stopped = fleet.stop();
    holdExitFor(stopped);
    await stopped;
  }
}

/**
 * Define the demo-fleet job when the live demo is on and the demo was seeded (called once from
 * instrumentation.ts, where this replica takes part in the background jobs).
 */
export async function defineDemoFleetJob(): Promise<boolean> {
  if (env().WARDEN_DEMO_FLEET === "off") return false;
  if (!(await db.setting.findUnique({ where: { key: "demo_seeded" }, select: { key: true } }))) return false;
  defineJob({ name: DEMO_FLEET_JOB, everyMs: 2_000, timeoutMs: LEASE_MS, run: () => runDemoFleetShift() });
  return true;
}
