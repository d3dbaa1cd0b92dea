/**
 * Fallback for warden_runner.py while Warden's people directory has no HTTP API: the same service
 * calls the console's People page makes (lib/people/service.ts: one transaction with the audit event
 * and the gateways' policy refresh), as the admin CLI's actor. JSON lines on stdin/stdout:
 * {op: "createPerson" | "updatePerson", input} -> {ok, data} and {op: "getPerson", id} -> {ok, data}.
 * Started with `tsx --conditions=react-server bench/agentgovbench/directory.ts` and the server's
 * DATABASE_URL / WARDEN_SECRET.
 */
import readline from "node:readline";

async function main() {
  const { cliActor } = await import("@/lib/auth/actor");
  const { ZPersonCreate, ZPersonUpdate } = await import("@/lib/people/schema");
  const { createPerson, updatePerson } = await import("@/lib/people/service");
  const { getPerson } = await import("@/lib/people/queries");
  const actor = cliActor();
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    let out: unknown;
    try {
      const msg = JSON.parse(line) as { op: string; input?: unknown; id?: string };
      if (msg.op === "createPerson") out = { ok: true, data: await createPerson(actor, ZPersonCreate.parse(msg.input)) };
      else if (msg.op === "updatePerson") out = { ok: true, data: await updatePerson(actor, ZPersonUpdate.parse(msg.input)) };
      else if (msg.op === "getPerson") out = { ok: true, data: await getPerson(actor, String(msg.id)) };
      else out = { ok: false, error: `unknown op ${msg.op}` };
    } catch (err) {
      out = { ok: false, error: String((err as Error)?.message ?? err).slice(0, 1000) };
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
  process.exit(0);
}
void main();
