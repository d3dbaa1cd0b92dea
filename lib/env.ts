import "server-only";
import { z } from "zod";
import { parseTrustProxy } from "@/lib/http/client-ip";

const ZRole = z.enum(["admin", "security_lead", "operator", "auditor", "manager"]);

const emptyAsUnset = (v: unknown) => (v === "" ? undefined : v);

const ZEnv = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (npm start sets it for the embedded database)"),
  /** A streaming replica for lag-tolerant reads (lib/db-read.ts); unset: everything on DATABASE_URL. */
  DATABASE_READ_URL: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  WARDEN_SECRET: z.string().min(16).optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  WARDEN_VERSION: z.string().default("0.1.0"),
  /** The public URL: its origin is the only one allowed to send signed-in requests that change state. */
  WARDEN_URL: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).optional()),
  NEXTAUTH_URL: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).optional()),
  /** Proxies whose X-Forwarded-For is believed: off (default), a hop count, or addresses/CIDRs. */
  WARDEN_TRUST_PROXY: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseTrustProxy(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    }),
  // Empty means unset for every optional setting: Docker Compose passes `${OIDC_ISSUER:-}` as "".
  OIDC_ISSUER: z.preprocess(emptyAsUnset, z.url().optional()),
  OIDC_CLIENT_ID: z.preprocess(emptyAsUnset, z.string().optional()),
  OIDC_CLIENT_SECRET: z.preprocess(emptyAsUnset, z.string().optional()),
  OIDC_NAME: z.preprocess(emptyAsUnset, z.string().default("Single sign-on")),
  /** Claim holding the Warden role (or a group list) in the ID token, e.g. "warden_role" or "groups". */
  OIDC_ROLE_CLAIM: z.preprocess(emptyAsUnset, z.string().optional()),
  /** Maps claim values to roles: "sec-team=security_lead,ops=operator". */
  OIDC_ROLE_MAP: z.preprocess(emptyAsUnset, z.string().optional()),
  OIDC_DEFAULT_ROLE: z.preprocess(emptyAsUnset, ZRole.optional()),
  /** Link an SSO sign-in to an existing local account with the same email: never, or when the IdP asserts email_verified. */
  OIDC_LINK_LOCAL: z.preprocess(emptyAsUnset, z.enum(["never", "verified"]).default("never")),
  /** The live demo fleet (lib/demo-fleet): simulated gateways for the seeded demo gateways; "off" turns them off. */
  WARDEN_DEMO_FLEET: z.preprocess(emptyAsUnset, z.enum(["on", "off"]).default("on")),
  /** Where the simulated gateways reach this server (default: this process's port on loopback). */
  WARDEN_DEMO_FLEET_URL: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).optional()),
  /** The demo fleet's tool calls per minute (default 4, a few per agent). */
  WARDEN_DEMO_FLEET_CALLS_PER_MINUTE: z.preprocess(emptyAsUnset, z.coerce.number().min(0).max(600).optional()),
  /** The address and port `next start` listens on (the launcher sets them). */
  HOST: z.preprocess(emptyAsUnset, z.string().optional()),
  PORT: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^\d{1,5}$/, "PORT must be a port number")
      .optional(),
  ),
  /** Tests only (the e2e server sets it): a request's `warden-test-fault` cookie may slow down or fail a dashboard card (lib/faults). */
  WARDEN_TEST_FAULTS: z.preprocess(emptyAsUnset, z.enum(["1"]).optional()),
});

export type Env = z.infer<typeof ZEnv>;

let cached: Env | null = null;

/** Parse a set of environment variables (exported for tests; the server uses env()). */
export function parseEnv(vars: Record<string, string | undefined>): Env {
  return ZEnv.parse(vars);
}

/** The zod-parsed environment; throws once, clearly, when something required is missing. */
export function env(): Env {
  if (!cached) cached = parseEnv(process.env);
  return cached;
}

/** The server secret (launcher passes WARDEN_SECRET; next-auth reads NEXTAUTH_SECRET). */
export function serverSecret(): string {
  const s = env().WARDEN_SECRET ?? env().NEXTAUTH_SECRET;
  if (!s) throw new Error("WARDEN_SECRET is not set");
  return s;
}

export function oidcConfigured(): boolean {
  const e = env();
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}

// ───────────────────────────── the rest of the settings ─────────────────────────────
// Every other process.env read of lib/, app/, components/ and instrumentation.ts lives here (an
// ESLint rule refuses process.env anywhere else). These are read live, on each call, not cached:
// tests and the CLI change them within one process. Each falls back to its documented default
// (docs/operations.md) when unset or out of range; none of them throws.

/**
 * The process environment, for the parsers that take a record of variables so tests can pass
 * their own (oidcSettings, publicOrigin, installServerHook, retentionDays, bootstrap).
 */
export function envVars(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** Run `fn` with some variables set in the process environment, restoring them afterwards (CLI only). */
export async function withEnvVars<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A whole number from the environment: `def` when unset, not a number or below `min`; capped at `max`. */
function intSetting(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(n) && n >= min ? Math.min(n, max) : def;
}

/** A "1" flag (tests and development only). */
function flagSetting(name: string): boolean {
  return process.env[name] === "1";
}

export const settings = {
  /** WARDEN_VERSION (default 0.1.0): shown by /api/health and written into evidence bundles. */
  version: () => process.env.WARDEN_VERSION ?? "0.1.0",
  /** The package version npm passes to scripts it runs (the OpenAPI document's version). */
  packageVersion: () => process.env.npm_package_version ?? "0.1.0",
  /** WARDEN_SCHEDULER=off: this replica takes no part in the background jobs. */
  schedulerEnabled: () => process.env.WARDEN_SCHEDULER !== "off",
  /** WARDEN_REPLICA_ID: this replica's name among those sharing the database (unset: host:pid:random). */
  replicaId: () => process.env.WARDEN_REPLICA_ID?.trim() || null,
  /** The OS user running the CLI (system audit rows' label `cli:<user>`). */
  osUser: () => process.env.USER ?? "unknown",
  /** INIT_CWD: the folder `npm run` was started in (the CLI's relative paths). */
  invocationDir: () => process.env.INIT_CWD || process.cwd(),
  /** WARDEN_DATA_DIR (default ./.warden): the data folder. */
  dataDir: () => process.env.WARDEN_DATA_DIR || null,
  /** WARDEN_DB_POOL (default 20): connections of the main pool. */
  dbPool: () => intSetting("WARDEN_DB_POOL", 20, 1, 1_000),
  /** WARDEN_DB_READ_POOL (default 10): connections of the read-replica pool. */
  dbReadPool: () => intSetting("WARDEN_DB_READ_POOL", 10, 1, 1_000),
  /** WARDEN_CONNECTOR_CONNECTIONS (1–64, default 8): the gateway connector's pool. */
  connectorConnections: () => Math.max(1, intSetting("WARDEN_CONNECTOR_CONNECTIONS", 8, 1, 64)),
  /** WARDEN_CONNECTOR_RATE (default 50): requests per second per gateway (burst 3×). */
  connectorRatePerSecond: () => intSetting("WARDEN_CONNECTOR_RATE", 50, 0, 1_000_000),
  /** WARDEN_INGEST_WRITERS (1–16, default 2): group inserts running at once. */
  ingestWriters: () => Math.floor(intSetting("WARDEN_INGEST_WRITERS", 2, 1, 16)),
  /** WARDEN_INGEST_CONNECTIONS (1–32, default 4): connections of the ingestion pool. */
  ingestConnections: () => Math.floor(intSetting("WARDEN_INGEST_CONNECTIONS", 4, 1, 32)),
  /** WARDEN_POLICY_TTL_SECONDS: the signed policy's default lifetime (raw; lib/allowlist/policy.ts checks its bounds). */
  policyTtlSeconds: () => Number(process.env.WARDEN_POLICY_TTL_SECONDS ?? 86_400),
  /** WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS (default 60): when an unacknowledged command escalates. */
  containmentAckTimeoutMs: () => intSetting("WARDEN_CONTAINMENT_ACK_TIMEOUT_SECONDS", 60, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER) * 1000,
  /** WARDEN_OUTBOX_RECHECK_MS (≥ 100, default 2000): how often a commands long-poll rechecks the outbox. */
  outboxRecheckMs: () => intSetting("WARDEN_OUTBOX_RECHECK_MS", 2_000, 100, Number.MAX_SAFE_INTEGER),
  /** WARDEN_EXPORT_LEASE_SECONDS (1–3600, default 30): an evidence export's lease. */
  exportLeaseMs: () => intSetting("WARDEN_EXPORT_LEASE_SECONDS", 30, 1, 3_600) * 1000,
  /** WARDEN_EVIDENCE_EXPORT_RETENTION_DAYS (default 14, at most 3650): how long finished bundles are kept. */
  evidenceExportRetentionDays: () => intSetting("WARDEN_EVIDENCE_EXPORT_RETENTION_DAYS", 14, Number.MIN_VALUE, 3_650),
  /** WARDEN_EXPORT_STEP_DELAY_MS (tests only): a pause between export steps. */
  exportStepDelayMs: () => intSetting("WARDEN_EXPORT_STEP_DELAY_MS", 0, 0, 60_000),
  /** WARDEN_SHUTDOWN_TIMEOUT_SECONDS (default 8, at most 600): how long a stopping server waits. */
  shutdownTimeoutMs: () => intSetting("WARDEN_SHUTDOWN_TIMEOUT_SECONDS", 8, Number.MIN_VALUE, 600) * 1000,
  /** NEXT_MANUAL_SIG_HANDLE: Next leaves SIGTERM/SIGINT to the app (the launcher sets it). */
  manualSignalHandling: () => Boolean(process.env.NEXT_MANUAL_SIG_HANDLE),
  /** WARDEN_AUDIT_CHECKPOINT_MINUTES (raw text: minutes, or off; lib/audit/checkpoint.ts parses it). */
  auditCheckpointMinutes: () => process.env.WARDEN_AUDIT_CHECKPOINT_MINUTES ?? "",
  /** WARDEN_AUDIT_CHECKPOINT_FILE (raw text: a path, or off; lib/audit/checkpoint.ts parses it). */
  auditCheckpointFile: () => process.env.WARDEN_AUDIT_CHECKPOINT_FILE ?? "",
  /** WARDEN_WEBHOOK_ALLOW_HTTP=1 (tests and development only): plain-http webhook targets. */
  webhookAllowHttp: () => flagSetting("WARDEN_WEBHOOK_ALLOW_HTTP"),
  /** WARDEN_WEBHOOK_ALLOW_PRIVATE=1 (tests and development only): private and loopback webhook targets. */
  webhookAllowPrivate: () => flagSetting("WARDEN_WEBHOOK_ALLOW_PRIVATE"),
  /** WARDEN_GATEWAY_ALLOW_LOOPBACK=1: gateways on Warden's own host (tests, a gateway on the same machine). */
  gatewayAllowLoopback: () => flagSetting("WARDEN_GATEWAY_ALLOW_LOOPBACK"),
  /** The OS secret given to the CLI, if any (WARDEN_SECRET, unvalidated: the CLI checks it opens the sealed keys). */
  secretIfSet: () => process.env.WARDEN_SECRET || null,
  /** The secret next-auth signs sessions with (WARDEN_SECRET, else NEXTAUTH_SECRET). */
  authSecret: () => process.env.WARDEN_SECRET ?? process.env.NEXTAUTH_SECRET,
} as const;
