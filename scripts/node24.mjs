// Node 24 (the current LTS, the Docker image's) in `npm test`, beside the machine's Node: the pinned
// Node 24 that scripts/setup-openclaw.mjs installs for the OpenClaw gateways.
//
// What runs on it, within a few minutes of CI time:
// - the Vitest files below: the ones that exercise what changes between Node majors (crypto and
//   the native argon2 addon, node:http internals the cross-site hook relies on, fetch/undici and
//   DNS for outbound calls, ws, zlib and streams, pg and COPY, V8's regular expressions under
//   hostile input, TextDecoder, the CLI spawned through npm, the gateway plugin's own code).
//   The rest of the suite is domain logic over the same Prisma client and driver;
//   `node scripts/test.mjs node24` runs all of it on Node 24;
// - the admin CLI as the README runs it (e2e/cli.spec.ts, on both Nodes);
// - the benchmark smoke run: its server is a production `next start` on Node 24.
import path from "node:path";
import { NODE24 } from "./setup-openclaw.mjs";

export const NODE24_UNIT_FILES = [
  "scripts/lib/runtime.test.ts",
  "lib/auth/auth.test.ts",
  "lib/tokens/tokens.test.ts",
  "lib/connector/signature.test.ts",
  "lib/connector/poll.test.ts",
  "lib/allowlist/policy.test.ts",
  "lib/audit/checkpoint.test.ts",
  "lib/audit/audit-cli.test.ts",
  "lib/http/cross-site.test.ts",
  "lib/containment/admin-ws.test.ts",
  "lib/containment/plugin-decide.test.ts",
  "lib/gateways/plugin-hash.test.ts",
  "lib/notify/dispatcher.test.ts",
  "lib/net/address-policy.test.ts",
  "lib/evidence/tar.test.ts",
  "lib/evidence/verify-fuzz.test.ts",
  "lib/tool-calls/otlp.test.ts",
  "lib/tool-calls/ingest.test.ts",
  "lib/tool-calls/secrets-at-rest.test.ts",
  "lib/pg-copy.test.ts",
  "lib/redact.test.ts",
  "lib/input-text.test.ts",
];

/** The environment in which `node`, and every `#!/usr/bin/env node` tool (npm, tsx, next), is Node 24. */
export function node24Env(env = process.env) {
  return { ...env, PATH: `${path.dirname(NODE24)}${path.delimiter}${env.PATH ?? ""}` };
}
