/**
 * A simulated gateway for e2e tests: registered through the API (its secret is shown once), it
 * long-polls Warden's connector for commands with signed requests and acknowledges each one,
 * like the OpenClaw plugin does.
 */
import { randomUUID } from "node:crypto";
import { signedHeaders } from "../lib/connector/signature";
import { makeToken, makeUser, rid, sql } from "./fixtures";

export type SimCommand = { id: string; kind: string; scope: string; action: string; target: string; reason: string; options: Record<string, unknown> };

export async function registerSimGateway(baseURL: string, name = `sim-${rid()}`) {
  const token = await makeToken(await makeUser("operator"));
  const res = await fetch(`${baseURL}/api/v1/gateways`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, kind: "openclaw", environment: "e2e" }),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const { data } = await res.json();
  return { id: data.gateway.id as string, name, secret: data.signingSecret as string };
}

/** An agent on that gateway, inserted directly. */
export async function addAgent(gatewayId: string, name = `agent-${rid()}`) {
  const id = randomUUID();
  await sql().query("insert into agents (id, name, external_id, gateway_id, owner, purpose, updated_at) values ($1,$2,$3,$4,'e2e','e2e test agent',now())", [id, name, `ext-${name}`, gatewayId]);
  return { id, name };
}

/** Poll and acknowledge until stopped; every command received is recorded in `seen`. */
export function runSimGateway(baseURL: string, gw: { id: string; secret: string }, opts: { outcome?: (c: SimCommand) => "applied" | "failed" } = {}) {
  const seen: SimCommand[] = [];
  const controller = new AbortController();
  const headers = (body: string) => ({ ...signedHeaders(gw.secret, body), "x-warden-gateway": gw.id, "content-type": "application/json" });
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await fetch(`${baseURL}/api/v1/connector/commands?wait=5`, { headers: headers(""), signal: controller.signal });
        if (res.status !== 200) {
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const cmd of (await res.json()).commands as SimCommand[]) {
          seen.push(cmd);
          const body = JSON.stringify({ outcome: opts.outcome?.(cmd) ?? "applied", detail: `sim: ${cmd.kind} ${cmd.action}` });
          await fetch(`${baseURL}/api/v1/connector/commands/${cmd.id}/ack`, { method: "POST", headers: headers(body), body });
        }
      } catch {
        if (!controller.signal.aborted) await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    seen,
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}
