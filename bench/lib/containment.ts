/**
 * Containment fan-out: N simulated gateways long-poll Warden's connector with signed requests
 * (like e2e/sim-gateway.ts and the OpenClaw plugin) and acknowledge each command; a fleet-wide kill
 * switch is timed from the API call until every gateway has acknowledged it.
 */
import { signedHeaders } from "@/lib/connector/signature";
import type { BenchGateway } from "./fleet";

type Command = { id: string; kind: "apply" | "release" };

/** How long one fan-out may take before the round is abandoned. */
export const FANOUT_TIMEOUT_MS = 30_000;
type Waiter = { kind: "apply" | "release"; pending: Set<string>; t0: number; resolve: (ms: number) => void };

export function startSimGateways(baseUrl: string, gateways: BenchGateway[], waitSeconds = 25) {
  const controller = new AbortController();
  let waiter: Waiter | null = null;
  const errors: Record<string, number> = {};
  const polling = new Set<string>();
  const count = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);
  const headers = (gw: BenchGateway, body: string) => ({ ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" });

  const loops = gateways.map(async (gw) => {
    while (!controller.signal.aborted) {
      try {
        polling.add(gw.id);
        const res = await fetch(`${baseUrl}/api/v1/connector/commands?wait=${waitSeconds}`, { headers: headers(gw, ""), signal: controller.signal });
        polling.delete(gw.id);
        if (res.status !== 200) {
          count(`poll ${res.status}`);
          await res.arrayBuffer();
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const { commands } = (await res.json()) as { commands: Command[] };
        for (const cmd of commands) {
          const body = JSON.stringify({ outcome: "applied", detail: `bench: ${cmd.kind}` });
          const ack = await fetch(`${baseUrl}/api/v1/connector/commands/${cmd.id}/ack`, { method: "POST", headers: headers(gw, body), body, signal: controller.signal });
          await ack.arrayBuffer();
          if (ack.status !== 200) {
            count(`ack ${ack.status}`);
            continue;
          }
          const w = waiter;
          if (w && w.kind === cmd.kind && w.pending.delete(gw.id) && w.pending.size === 0) {
            waiter = null;
            w.resolve(performance.now() - w.t0);
          }
        }
      } catch (err) {
        polling.delete(gw.id);
        if (controller.signal.aborted) break;
        count((err as Error).message.slice(0, 60));
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  return {
    errors,
    /** Resolves once every gateway has an open long-poll (or after `timeoutMs`). */
    async ready(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (polling.size < gateways.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      // The requests are sent; give the server a moment to have them all parked.
      await new Promise((r) => setTimeout(r, 500));
      return polling.size;
    },
    /** Start timing now; resolves with ms until every gateway acknowledged a command of this kind. */
    expect(kind: "apply" | "release", timeoutMs = FANOUT_TIMEOUT_MS): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const left = waiter?.pending.size ?? 0;
          waiter = null;
          reject(new Error(`containment fan-out: ${left} of ${gateways.length} gateways did not acknowledge the ${kind} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        waiter = {
          kind,
          pending: new Set(gateways.map((g) => g.id)),
          t0: performance.now(),
          resolve: (ms) => {
            clearTimeout(timer);
            resolve(ms);
          },
        };
      });
    },
    async stop() {
      controller.abort();
      await Promise.allSettled(loops);
    },
  };
}

/** Apply then release a fleet-wide kill switch `rounds` times; returns apply and release fan-out times. */
export async function measureFanout(baseUrl: string, token: string, gateways: BenchGateway[], rounds: number, log: (m: string) => void) {
  const sims = startSimGateways(baseUrl, gateways);
  const apply: number[] = [];
  const release: number[] = [];
  let failed: string | null = null;
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  try {
    const parked = await sims.ready();
    log(`  ${parked} of ${gateways.length} simulated gateways long-polling`);
    for (let r = 0; r < rounds; r++) {
      const applied = sims.expect("apply");
      const res = await fetch(`${baseUrl}/api/v1/containment`, { method: "POST", headers: auth, body: JSON.stringify({ scope: "fleet", target: "fleet", action: "block_all", reason: `bench round ${r + 1}: fan-out timing` }) });
      const text = await res.text();
      const json = (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {}) as { data?: { id: string; gateways: number }; error?: unknown };
      if (res.status !== 201 || !json.data) {
        applied.catch(() => {});
        throw new Error(`POST /api/v1/containment answered ${res.status}: ${text.slice(0, 200)}`);
      }
      apply.push(await applied);
      await sims.ready(5_000);
      const released = sims.expect("release");
      const rel = await fetch(`${baseUrl}/api/v1/containment/${json.data.id}/release`, { method: "POST", headers: auth, body: JSON.stringify({ reason: `bench round ${r + 1}: release` }) });
      await rel.arrayBuffer();
      if (rel.status !== 200) {
        released.catch(() => {});
        throw new Error(`POST /api/v1/containment/{id}/release answered ${rel.status}`);
      }
      release.push(await released);
      await sims.ready(5_000);
      log(`  round ${r + 1}: apply ${apply.at(-1)!.toFixed(0)} ms, release ${release.at(-1)!.toFixed(0)} ms`);
    }
  } catch (err) {
    failed = err instanceof Error ? err.message : String(err);
    // A fan-out that did not complete in time counts with the time limit (a lower bound).
    if (/did not acknowledge the apply/.test(failed)) apply.push(FANOUT_TIMEOUT_MS);
  } finally {
    await sims.stop();
  }
  return { apply, release, errors: sims.errors, failed };
}
