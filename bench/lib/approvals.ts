/**
 * Approval round trip (issue 17 §3): Warden's share of one approval, human time excluded. A
 * simulated gateway long-polls its commands (acks on the next poll, as the OpenClaw plugin does),
 * reports a held call (POST /api/v1/connector/approvals, signed), then a person's decision is sent
 * through the API (POST /api/v1/approvals/{id}/decision). Warden's share is the report's round
 * trip plus the time from the decision request to the `approval_decision` command arriving on the
 * gateway's long-poll; the time between the two (the person reading) is not counted.
 */
import { createHash, randomUUID } from "node:crypto";
import { signedHeaders } from "@/lib/connector/signature";
import type { BenchGateway } from "./fleet";

const sortDeep = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortDeep)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
        )
      : v;
const hashOf = (params: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(sortDeep(params)))
    .digest("hex");

type Command = { id: string; type?: string; target: string };

export async function measureApprovalRoundTrip(baseUrl: string, token: string, gateway: BenchGateway, agentExternalId: string, rounds: number, log: (m: string) => void) {
  const stop = new AbortController();
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const errors: Record<string, number> = {};
  const count = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);
  let polling = false;
  const loop = (async () => {
    let acks: { id: string; outcome: "applied"; detail: string }[] = [];
    while (!stop.signal.aborted) {
      try {
        const body = JSON.stringify({ acks });
        polling = true;
        const res = await fetch(`${baseUrl}/api/v1/connector/commands?wait=25`, {
          method: "POST",
          headers: { ...signedHeaders(gateway.secret, body), "x-warden-gateway": gateway.id, "content-type": "application/json" },
          body,
          signal: stop.signal,
        });
        const at = performance.now();
        polling = false;
        if (res.status !== 200) {
          count(`poll ${res.status}`);
          await res.arrayBuffer();
          continue;
        }
        const json = (await res.json()) as { commands: Command[] };
        for (const c of json.commands) {
          if (c.type !== "approval_decision") continue;
          arrivals.set(c.target, at);
          waiters.get(c.target)?.();
        }
        acks = json.commands.map((c) => ({ id: c.id, outcome: "applied", detail: "bench" }));
      } catch (err) {
        polling = false;
        if (stop.signal.aborted) break;
        count((err as Error).message.slice(0, 60));
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();

  const shares: number[] = [];
  const reports: number[] = [];
  const deliveries: number[] = [];
  let failed: string | null = null;
  try {
    for (let i = 0; i < 100 && !polling; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // parked
    for (let r = -2; r < rounds; r++) {
      const params = { command: `make deploy-${r}`, workdir: "/srv/app" };
      const body = JSON.stringify({
        requestId: randomUUID(),
        toolCallId: `bench-${randomUUID()}`,
        agentId: agentExternalId,
        toolName: "exec",
        params,
        paramsHash: hashOf(params),
        reason: "bench: exec needs approval",
        timeoutMs: 120_000,
      });
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/api/v1/connector/approvals`, {
        method: "POST",
        headers: { ...signedHeaders(gateway.secret, body), "x-warden-gateway": gateway.id, "content-type": "application/json" },
        body,
      });
      const text = await res.text();
      const reportMs = performance.now() - t0;
      if (res.status !== 201) throw new Error(`POST /api/v1/connector/approvals answered ${res.status}: ${text.slice(0, 200)}`);
      const id = (JSON.parse(text) as { data: { id: string } }).data.id;
      await new Promise((r) => setTimeout(r, 50)); // the person reads (not counted)
      const arrived = new Promise<void>((resolve) => waiters.set(id, resolve));
      const t1 = performance.now();
      const d = await fetch(`${baseUrl}/api/v1/approvals/${id}/decision`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ decision: "allow_once", reason: "bench: looks fine" }),
      });
      const dText = await d.text();
      if (d.status !== 200) throw new Error(`POST /api/v1/approvals/{id}/decision answered ${d.status}: ${dText.slice(0, 200)}`);
      await Promise.race([arrived, new Promise((_, rej) => setTimeout(() => rej(new Error("the decision did not reach the gateway within 10 s")), 10_000))]);
      waiters.delete(id);
      const deliverMs = arrivals.get(id)! - t1;
      if (r >= 0) {
        reports.push(reportMs);
        deliveries.push(deliverMs);
        shares.push(reportMs + deliverMs);
      }
      // Let the ack ride on the next poll before the next round.
      await new Promise((res2) => setTimeout(res2, 30));
    }
    log(`  ${shares.length} approvals: report + decision delivery measured`);
  } catch (err) {
    failed = err instanceof Error ? err.message : String(err);
  } finally {
    stop.abort();
    await loop;
  }
  return { shares, reports, deliveries, errors, failed };
}
