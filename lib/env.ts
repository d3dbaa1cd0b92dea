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
