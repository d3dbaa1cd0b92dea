/**
 * Verify a Warden evidence bundle offline: the Ed25519 signature over manifest.json, then every
 * file's SHA-256 and size, the audit hash chain inside it, and the OCSF records' shape.
 *
 *   npm run evidence:verify -- <bundle.tar.gz> --url https://warden.example.com
 *   npm run evidence:verify -- <bundle.tar.gz> --key warden-public-key.pem
 *   npm run evidence:verify -- <bundle.tar.gz>            (the key inside the bundle: integrity only)
 *   add --json for a machine-readable report
 *
 * Exit code 0 when verified, 1 when not, 2 on bad usage.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatReport, verifyEvidenceBundle } from "../lib/evidence/verify";

const USAGE = "usage: npm run evidence:verify -- <bundle.tar.gz> [--key <public key .pem> | --url <warden base url>] [--json]";

async function keyFromUrl(base: string): Promise<string> {
  const url = new URL("/api/v1/evidence/public-key", base);
  const res = await fetch(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const body = (await res.json()) as { publicKeyPem?: unknown };
  if (typeof body.publicKeyPem !== "string") throw new Error(`${url} did not return a publicKeyPem`);
  return body.publicKeyPem;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { key: { type: "string" }, url: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || (values.key && values.url)) {
    console.error(USAGE);
    return 2;
  }
  let publicKeyPem: string | null = null;
  try {
    if (values.key) publicKeyPem = readFileSync(values.key, "utf8");
    else if (values.url) publicKeyPem = await keyFromUrl(values.url);
  } catch (err) {
    console.error(`Could not get the public key: ${(err as Error).message}`);
    return 2;
  }
  const report = await verifyEvidenceBundle(positionals[0], { publicKeyPem });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
