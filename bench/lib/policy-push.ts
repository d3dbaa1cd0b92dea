/**
 * Policy push: N simulated gateways long-poll Warden's connector like the OpenClaw plugin does; on a
 * `policy_refresh` command each fetches its signed policy (If-None-Match with the ETag it holds),
 * keeps the new version and acknowledges the command with its next poll. A change that alters every
 * gateway's effective allowlist (the tools of a bundle that one agent on each gateway holds, changed
 * through the API) is timed from the API call until every gateway holds the new signed version.
 */
import { createHash, randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import pg from "pg";
import { signedHeaders } from "@/lib/connector/signature";
import type { BenchGateway } from "./fleet";

export const PUSH_TIMEOUT_MS = 30_000;
type Command = { id: string; type?: string; kind: string };

function startPolicyGateways(baseUrl: string, gateways: BenchGateway[]) {
  const controller = new AbortController();
  setMaxListeners(gateways.length * 2 + 10, controller.signal);
  const errors: Record<string, number> = {};
  const count = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);
  const held = new Map<string, { version: string; etag: string; at: number }>();
  const polling = new Set<string>();

  async function fetchPolicy(gw: BenchGateway) {
    const prev = held.get(gw.id);
    // One signal per request, tied to the shared one only while it runs (fetch keeps its listener).
    const request = new AbortController();
    const abort = () => request.abort();
    controller.signal.addEventListener("abort", abort);
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/api/v1/connector/policy`, {
        headers: { ...signedHeaders(gw.secret, ""), "x-warden-gateway": gw.id, ...(prev ? { "if-none-match": prev.etag, "x-warden-policy-version": prev.version } : {}) },
        signal: request.signal,
      });
    } finally {
      controller.signal.removeEventListener("abort", abort);
    }
    if (res.status === 304) return;
    if (res.status !== 200) {
      count(`policy ${res.status}`);
      await res.arrayBuffer();
      throw new Error(`policy ${res.status}`);
    }
    const json = (await res.json()) as { policy: { version: string }; signature: string };
    if (!json.signature) count("unsigned policy");
    held.set(gw.id, { version: json.policy.version, etag: res.headers.get("etag") ?? "", at: performance.now() });
  }

  const loops = gateways.map(async (gw) => {
    let acks: { id: string; outcome: "applied" | "failed"; detail: string }[] = [];
    try {
      await fetchPolicy(gw);
    } catch {}
    while (!controller.signal.aborted) {
      const request = new AbortController();
      const abort = () => request.abort();
      controller.signal.addEventListener("abort", abort);
      try {
        const body = JSON.stringify({ acks });
        polling.add(gw.id);
        const res = await fetch(`${baseUrl}/api/v1/connector/commands?wait=25`, {
          method: "POST",
          headers: { ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" },
          body,
          signal: request.signal,
        });
        polling.delete(gw.id);
        if (res.status !== 200) {
          count(`poll ${res.status}`);
          await res.arrayBuffer();
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const json = (await res.json()) as { commands: Command[] };
        acks = [];
        for (const cmd of json.commands) {
          if (cmd.type === "policy_refresh") {
            try {
              await fetchPolicy(gw);
              acks.push({ id: cmd.id, outcome: "applied", detail: "bench: policy fetched" });
            } catch (err) {
              acks.push({ id: cmd.id, outcome: "failed", detail: (err as Error).message });
            }
          } else acks.push({ id: cmd.id, outcome: "applied", detail: `bench: ${cmd.kind}` });
        }
      } catch (err) {
        polling.delete(gw.id);
        if (controller.signal.aborted) break;
        count((err as Error).message.slice(0, 60));
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        controller.signal.removeEventListener("abort", abort);
      }
    }
  });
  return {
    errors,
    held,
    async ready(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (polling.size < gateways.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      return polling.size;
    },
    async stop() {
      controller.abort();
      await Promise.allSettled(loops);
    },
  };
}

/**
 * Give one agent on each gateway a bundle (one approved tool), then change the bundle's tools
 * through the API `rounds` times (after one uncounted warm-up round). Returns, per round, the time
 * until every gateway held a new signed version, and every gateway's own time.
 */
export async function measurePolicyPush(baseUrl: string, dbUrl: string, token: string, gateways: BenchGateway[], rounds: number, log: (m: string) => void) {
  const db = new pg.Client({ connectionString: dbUrl });
  db.on("error", () => {});
  await db.connect();
  const all: number[] = [];
  const perGateway: number[] = [];
  let failed: string | null = null;
  const sims = startPolicyGateways(baseUrl, gateways);
  try {
    const bundleId = randomUUID();
    const tools = (await db.query<{ id: string }>(`select id::text from tools order by name limit 2`)).rows.map((r) => r.id);
    const admin = (await db.query<{ id: string }>(`select id::text from users where role = 'admin' limit 1`)).rows[0].id;
    await db.query(`insert into capability_bundles (id, name) values ($1, $2)`, [bundleId, `bench-push-${bundleId.slice(0, 8)}`]);
    for (const toolId of tools) {
      const v = randomUUID();
      await db.query(`insert into tool_versions (id, tool_id, version, content_hash) values ($1, $2, '1.0.0', $3)`, [v, toolId, createHash("sha256").update(v).digest("hex")]);
      await db.query(
        `insert into trust_decisions (id, tool_version_id, decider_id, outcome, checklist, reason, re_review_at) values (gen_random_uuid(), $1, $2, 'approve', '{}', 'bench', now() + interval '90 days')`,
        [v, admin],
      );
    }
    await db.query(`insert into bundle_tools (bundle_id, tool_id) values ($1, $2)`, [bundleId, tools[0]]);
    await db.query(`insert into agent_bundles (agent_id, bundle_id) select distinct on (gateway_id) id, $1 from agents where gateway_id = any($2::uuid[]) order by gateway_id, name`, [
      bundleId,
      gateways.map((g) => g.id),
    ]);
    const parked = await sims.ready();
    log(`  ${parked} of ${gateways.length} simulated gateways long-polling`);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    // Let the set-up's refreshes settle: every gateway holds its current version.
    await new Promise((r) => setTimeout(r, 2000));
    for (let r = -1; r < rounds; r++) {
      const warmup = r < 0;
      const before = new Map([...sims.held].map(([id, h]) => [id, h.version]));
      const toolIds = r % 2 === 0 ? [tools[0]] : tools;
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/api/v1/bundles/${bundleId}/tools`, { method: "PUT", headers: auth, body: JSON.stringify({ toolIds }) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`PUT /api/v1/bundles/{id}/tools answered ${res.status}: ${text.slice(0, 200)}`);
      let last = 0;
      for (;;) {
        const fresh = gateways.filter((g) => {
          const h = sims.held.get(g.id);
          return h && h.version !== before.get(g.id) && h.at >= t0;
        });
        if (fresh.length === gateways.length) {
          const times = gateways.map((g) => sims.held.get(g.id)!.at - t0);
          last = Math.max(...times);
          if (!warmup) perGateway.push(...times);
          break;
        }
        if (performance.now() - t0 > PUSH_TIMEOUT_MS)
          throw new Error(`policy push: ${gateways.length - fresh.length} of ${gateways.length} gateways did not hold the new version within ${PUSH_TIMEOUT_MS / 1000} s`);
        await new Promise((res2) => setTimeout(res2, 5));
      }
      if (!warmup) all.push(last);
      log(`  ${warmup ? "warm-up round (not counted)" : `round ${r + 1}`}: all ${gateways.length} gateways hold the new signed version after ${last.toFixed(0)} ms`);
      await sims.ready(5_000);
    }
  } catch (err) {
    failed = err instanceof Error ? err.message : String(err);
    if (/did not hold/.test(failed)) all.push(PUSH_TIMEOUT_MS);
  } finally {
    await sims.stop();
    await db.end().catch(() => {});
  }
  return { all, perGateway, errors: sims.errors, failed };
}
