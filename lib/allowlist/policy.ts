import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { canonicalJson } from "@/lib/signing/canonical";
import { effectiveAllowlists } from "@/lib/allowlist/effective";
import { signWithWardenKey } from "@/lib/signing/keys";
import { connectorPool } from "@/lib/db-raw";

export type PolicyTool = { name: string; kind: string; versions: { version: string; contentHash: string }[]; exceptionUntil?: string };
export type PolicyAgent = { id: string; wardenId: string; name: string; status: string; tools: PolicyTool[] };
/** Active kill switches for this gateway: a third path besides the command long-poll and admin WS. */
export type PolicyContainment = { deniedTools: Record<string, string>; suspendedAgents: Record<string, string>; blockAll?: string };
/** What the plugin does once its policy expired without a newer one: block every call, or keep enforcing the last policy. */
export type OnPolicyExpiry = "deny" | "keep_last";
export const ON_POLICY_EXPIRY: readonly OnPolicyExpiry[] = ["deny", "keep_last"];
/**
 * `version` hashes what the gateway must enforce (not issuedAt/expiresAt), so it changes exactly when
 * enforcement changes; `expiresAt` is when the plugin stops trusting this policy by its own clock.
 */
export type GatewayPolicy = {
  schema: "warden.policy/v1"; gatewayId: string; version: string; issuedAt: string; expiresAt: string; onExpiry: OnPolicyExpiry;
  defaultDecision: "deny"; agents: PolicyAgent[]; containment: PolicyContainment;
};
export type SignedGatewayPolicy = { policy: GatewayPolicy; signature: string; keyId: string; algorithm: "Ed25519" };

const TTL_MIN_S = 300;
const TTL_MAX_S = 30 * 86_400;
/** Default lifetime of a signed policy (WARDEN_POLICY_TTL_SECONDS, 24 h), bounded to 5 min … 30 days. */
export function defaultPolicyTtlSeconds(): number {
  const s = Number(process.env.WARDEN_POLICY_TTL_SECONDS ?? 86_400);
  return Number.isInteger(s) && s >= TTL_MIN_S && s <= TTL_MAX_S ? s : 86_400;
}
export const POLICY_TTL_BOUNDS = { min: TTL_MIN_S, max: TTL_MAX_S } as const;

async function expirySettings(gatewayId: string): Promise<{ ttlSeconds: number; onExpiry: OnPolicyExpiry }> {
  const g = await db.gateway.findUnique({ where: { id: gatewayId }, select: { policyTtlSeconds: true, onPolicyExpiry: true } });
  return { ttlSeconds: g?.policyTtlSeconds ?? defaultPolicyTtlSeconds(), onExpiry: g?.onPolicyExpiry === "keep_last" ? "keep_last" : "deny" };
}

/** The active containment that applies to one gateway's enforcement (deny wins over the allowlist). */
export async function activeContainmentFor(gatewayId: string): Promise<PolicyContainment> {
  const actions = await db.containmentAction.findMany({
    where: { status: "active", deliveries: { some: { gatewayId, kind: "apply" } } },
    orderBy: { createdAt: "asc" },
    select: { scope: true, target: true, action: true, reason: true },
  });
  const out: PolicyContainment = { deniedTools: {}, suspendedAgents: {} };
  const agentIds = actions.filter((a) => a.scope === "agent").map((a) => a.target);
  const agents = agentIds.length ? await db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, externalId: true, name: true } }) : [];
  for (const a of actions) {
    if (a.scope === "tool") out.deniedTools[a.target] = a.reason;
    else if (a.scope === "agent") {
      const ag = agents.find((x) => x.id === a.target);
      if (ag) out.suspendedAgents[ag.externalId ?? ag.name] = a.reason;
    } else if (a.action === "block_all" || a.action === "shutdown") out.blockAll = a.reason;
  }
  return out;
}

/**
 * The enforced form of the effective allowlist for one gateway's agents: only allowed tools,
 * pinned versions + hashes, exception end times; anything absent is denied. `version` is a hash
 * of the content, so it (and the ETag) changes exactly when what the gateway must enforce changes.
 */
export async function buildGatewayPolicy(gatewayId: string, now = new Date()): Promise<GatewayPolicy> {
  const settings = await expirySettings(gatewayId);
  const agents = await db.agent.findMany({ where: { gatewayId }, orderBy: { name: "asc" }, select: { id: true, externalId: true, name: true, status: true } });
  const lists = await effectiveAllowlists(agents.map((a) => a.id), now);
  const policyAgents: PolicyAgent[] = agents.map((a) => ({
    id: a.externalId ?? a.name,
    wardenId: a.id,
    name: a.name,
    status: a.status,
    tools: (lists.get(a.id)?.entries ?? [])
      .filter((e) => e.status === "allowed")
      .map((e) => ({
        name: e.toolName,
        kind: e.kind,
        versions: e.versions.map((v) => ({ version: v.version, contentHash: v.contentHash })).sort((x, y) => x.contentHash.localeCompare(y.contentHash)),
        ...(e.exception && e.versions.length === 0 ? { exceptionUntil: e.exception.expiresAt.toISOString() } : {}),
      }))
      .sort((x, y) => x.name.localeCompare(y.name)),
  }));
  const content = { gatewayId, defaultDecision: "deny" as const, onExpiry: settings.onExpiry, agents: policyAgents, containment: await activeContainmentFor(gatewayId) };
  const version = createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 20);
  return { schema: "warden.policy/v1", version, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + settings.ttlSeconds * 1000).toISOString(), ...content };
}

/** Sign a built policy with Warden's Ed25519 key over its canonical JSON (sorted keys). */
export async function signPolicy(policy: GatewayPolicy): Promise<SignedGatewayPolicy> {
  const { keyId, signature } = await signWithWardenKey(canonicalJson(policy));
  return { policy, signature, keyId, algorithm: "Ed25519" };
}

/** The policy with Warden's Ed25519 signature, computed now (no cache: the console's preview, tests). */
export async function signedGatewayPolicy(gatewayId: string, now = new Date()): Promise<SignedGatewayPolicy> {
  return signPolicy(await buildGatewayPolicy(gatewayId, now));
}

/** A cached policy is recomputed at least this often, whatever else happens (a safety net, not the mechanism). */
const MAX_CACHE_MS = 5 * 60_000;

/** The earliest time bound still ahead in the policy (an exception's end, a grant's end …): it must be recomputed then. */
function nextTimeBound(value: unknown, now: number, key = ""): number {
  let best = Infinity;
  if (typeof value === "string" && /until$/i.test(key)) {
    const t = Date.parse(value);
    if (Number.isFinite(t) && t > now) best = t;
  } else if (Array.isArray(value)) for (const v of value) best = Math.min(best, nextTimeBound(v, now, key));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) if (k !== "expiresAt" && k !== "issuedAt") best = Math.min(best, nextTimeBound(v, now, k));
  return best;
}

type CacheRow = { version: string | null; etag: string | null; signed: SignedGatewayPolicy | null; expires_at: Date | null; valid_until: Date | null; stale: boolean; gen: string };

/**
 * The gateway's signed policy, signed once per content version and cached in Postgres (shared by
 * every Warden replica). A fresh cache row answers with one query: no allowlist computation and no
 * signing. The row is marked stale in the transaction of every change that alters the policy
 * (database triggers, warden_policy_touch), and is recomputed after `valid_until`: the next time
 * bound in the policy (an exception ending), half the policy's lifetime (so the expiry the gateway
 * holds is renewed long before it passes), or 5 minutes. A recomputation with an unchanged version
 * and a far enough expiry keeps the stored signature; a recomputation that raced with a change
 * (`gen` moved) serves what it computed but leaves the row stale.
 */
export async function cachedSignedPolicy(gatewayId: string, now = new Date()): Promise<{ signed: SignedGatewayPolicy; etag: string }> {
  const pool = connectorPool();
  const { rows } = await pool.query<CacheRow>(`select version, etag, signed, expires_at, valid_until, stale, gen::text from gateway_policies where gateway_id = $1`, [gatewayId]);
  const row = rows[0];
  if (row && !row.stale && row.signed && row.etag && row.valid_until && row.valid_until > now) return { signed: row.signed, etag: row.etag };

  const built = await buildGatewayPolicy(gatewayId, now);
  const ttlMs = Date.parse(built.expiresAt) - now.getTime();
  let signed: SignedGatewayPolicy;
  // Same content, and the stored signature's expiry is still more than half a lifetime away: keep it.
  if (row?.signed && row.version === built.version && row.expires_at && row.expires_at.getTime() - now.getTime() > ttlMs / 2 && row.signed.policy.onExpiry === built.onExpiry) signed = row.signed;
  else signed = await signPolicy(built);
  const expiresAt = new Date(signed.policy.expiresAt);
  const validUntil = new Date(Math.min(now.getTime() + MAX_CACHE_MS, expiresAt.getTime() - ttlMs / 2, nextTimeBound(signed.policy, now.getTime()), await nextGrantEnd(gatewayId, now)));
  const etag = `"${signed.policy.version}.${Date.parse(signed.policy.issuedAt).toString(36)}"`;
  await pool.query(
    `insert into gateway_policies as p (gateway_id, version, etag, signed, expires_at, valid_until, stale, gen, computed_at)
     values ($1, $2, $3, $4, $5, $6, false, $7::bigint, now())
     on conflict (gateway_id) do update set version = excluded.version, etag = excluded.etag, signed = excluded.signed, expires_at = excluded.expires_at,
       valid_until = excluded.valid_until, stale = false, computed_at = now()
     where p.gen = $7::bigint`,
    [gatewayId, signed.policy.version, etag, JSON.stringify(signed), expiresAt, validUntil, row?.gen ?? "0"],
  );
  return { signed, etag };
}

/** When the next grant or exception of this gateway's agents ends (grants leave the allowlist then). */
async function nextGrantEnd(gatewayId: string, now: Date): Promise<number> {
  const { rows } = await connectorPool().query<{ t: Date | null }>(
    `select min(g.expires_at) as t from grants g join agents a on a.id = g.agent_id where a.gateway_id = $1 and g.revoked_at is null and g.expires_at > $2`,
    [gatewayId, now],
  );
  return rows[0]?.t ? rows[0].t.getTime() : Infinity;
}
