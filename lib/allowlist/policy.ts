import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { canonicalJson } from "@/lib/signing/canonical";
import { effectiveAllowlists } from "@/lib/allowlist/effective";
import { signWithWardenKey } from "@/lib/signing/keys";
import type { GatewayConditions } from "@/lib/tools/conditions";
import { ZHost } from "@/lib/data-flows/schema";
import { addApprovalPolicy, type PolicyApprovalGrant, type PolicyApprovalRule } from "@/lib/approvals/policy";
import { connectorPool } from "@/lib/db-raw";
import { grouped } from "@/lib/db-group";
import { settings } from "@/lib/env";
import { identitySections, type PolicyIdentity } from "@/lib/identity-policy/policy";

export type PolicyTool = {
  name: string;
  kind: string;
  versions: { version: string; contentHash: string }[];
  /** Kept for plugins before `until`: set (equal to `until`) when only an exception allows the tool. */
  exceptionUntil?: string;
  /** The allowance ends then, by the gateway's clock (set whenever every source of it is time-bound). */
  until?: string;
  /** What the approval narrowed, enforced on each call's parameters (see lib/tools/conditions.ts). */
  conditions?: GatewayConditions;
  /** Rules under which each call waits for a person (lib/approvals). */
  approvals?: PolicyApprovalRule[];
};
/** `egressHosts`: hosts of the agent's approved data flows (the only way past the gateway's SSRF check). */
/** `peers`: gateway agent ids of the approved targets on the same gateway (lib/agent-links); reaching itself is always allowed. */
export type PolicyAgent = { id: string; wardenId: string; name: string; status: string; egressHosts: string[]; peers: string[]; tools: PolicyTool[]; approvalGrants?: PolicyApprovalGrant[] };
/**
 * Active kill switches for this gateway: a third path besides the command long-poll and admin WS.
 * `approvalTools` (require_approval, only when there is one): each call of the tool waits for a person.
 */
export type PolicyContainment = { deniedTools: Record<string, string>; suspendedAgents: Record<string, string>; blockAll?: string; approvalTools?: Record<string, string> };
/** What the plugin does once its policy expired without a newer one: block every call, or keep enforcing the last policy. */
export type OnPolicyExpiry = "deny" | "keep_last";
export const ON_POLICY_EXPIRY: readonly OnPolicyExpiry[] = ["deny", "keep_last"];
/**
 * `version` hashes what the gateway must enforce (not issuedAt/expiresAt), so it changes exactly when
 * enforcement changes; `expiresAt` is when the plugin stops trusting this policy by its own clock.
 */
export type GatewayPolicy = {
  schema: "warden.policy/v1";
  gatewayId: string;
  version: string;
  issuedAt: string;
  expiresAt: string;
  onExpiry: OnPolicyExpiry;
  defaultDecision: "deny";
  agents: PolicyAgent[];
  containment: PolicyContainment;
  /** Per-person and per-group rules and rate limits (lib/identity-policy); absent when none reaches this gateway. */
  identity?: PolicyIdentity;
};
export type SignedGatewayPolicy = { policy: GatewayPolicy; signature: string; keyId: string; algorithm: "Ed25519" };

const TTL_MIN_S = 300;
const TTL_MAX_S = 30 * 86_400;
/** Default lifetime of a signed policy (WARDEN_POLICY_TTL_SECONDS, 24 h), bounded to 5 min … 30 days. */
export function defaultPolicyTtlSeconds(): number {
  const s = settings.policyTtlSeconds();
  return Number.isInteger(s) && s >= TTL_MIN_S && s <= TTL_MAX_S ? s : 86_400;
}
export const POLICY_TTL_BOUNDS = { min: TTL_MIN_S, max: TTL_MAX_S } as const;

type ExpirySettings = { ttlSeconds: number; onExpiry: OnPolicyExpiry };
async function expirySettings(gatewayIds: string[]): Promise<Map<string, ExpirySettings>> {
  const rows = await db.gateway.findMany({ where: { id: { in: gatewayIds } }, select: { id: true, policyTtlSeconds: true, onPolicyExpiry: true } });
  const byId = new Map(rows.map((g) => [g.id, g]));
  return new Map(
    gatewayIds.map((id) => {
      const g = byId.get(id);
      return [id, { ttlSeconds: g?.policyTtlSeconds ?? defaultPolicyTtlSeconds(), onExpiry: g?.onPolicyExpiry === "keep_last" ? "keep_last" : "deny" }];
    }),
  );
}

/** The active containment that applies to one gateway's enforcement (deny wins over the allowlist). */
export async function activeContainmentFor(gatewayId: string): Promise<PolicyContainment> {
  return (await activeContainmentForMany([gatewayId])).get(gatewayId)!;
}

async function activeContainmentForMany(gatewayIds: string[]): Promise<Map<string, PolicyContainment>> {
  const actions = await db.containmentAction.findMany({
    where: { status: "active", deliveries: { some: { gatewayId: { in: gatewayIds }, kind: "apply" } } },
    orderBy: { createdAt: "asc" },
    select: { scope: true, target: true, action: true, reason: true, deliveries: { where: { gatewayId: { in: gatewayIds }, kind: "apply" }, select: { gatewayId: true } } },
  });
  const out = new Map<string, PolicyContainment>(gatewayIds.map((id) => [id, { deniedTools: {}, suspendedAgents: {} }]));
  const agentIds = actions.filter((a) => a.scope === "agent").map((a) => a.target);
  const agents = agentIds.length ? await db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, externalId: true, name: true } }) : [];
  for (const a of actions) {
    for (const gatewayId of new Set(a.deliveries.map((d) => d.gatewayId))) {
      const c = out.get(gatewayId)!;
      if (a.scope === "tool" && a.action === "require_approval") (c.approvalTools ??= {})[a.target] = a.reason;
      else if (a.scope === "tool") c.deniedTools[a.target] = a.reason;
      else if (a.scope === "agent") {
        const ag = agents.find((x) => x.id === a.target);
        if (ag) c.suspendedAgents[ag.externalId ?? ag.name] = a.reason;
      } else if (a.action === "block_all" || a.action === "shutdown") c.blockAll = a.reason;
    }
  }
  return out;
}

/**
 * The enforced form of the effective allowlist for one gateway's agents: only allowed tools,
 * pinned versions + hashes, exception end times; anything absent is denied. `version` is a hash
 * of the content, so it (and the ETag) changes exactly when what the gateway must enforce changes.
 */
export async function buildGatewayPolicy(gatewayId: string, now = new Date()): Promise<GatewayPolicy> {
  return (await buildGatewayPolicies([gatewayId], now)).get(gatewayId)!;
}

/**
 * The policies of many gateways with a fixed number of queries (a change that touches 200
 * gateways is recomputed once for all of them, not 200 times).
 */
export async function buildGatewayPolicies(gatewayIds: string[], now = new Date()): Promise<Map<string, GatewayPolicy>> {
  const ids = [...new Set(gatewayIds)];
  const [settings, allAgents, containment, identity] = await Promise.all([
    expirySettings(ids),
    db.agent.findMany({ where: { gatewayId: { in: ids } }, orderBy: { name: "asc" }, select: { id: true, externalId: true, name: true, status: true, gatewayId: true } }),
    activeContainmentForMany(ids),
    identitySections(ids),
  ]);
  const lists = await effectiveAllowlists(
    allAgents.map((a) => a.id),
    now,
  );
  const flows = allAgents.length ? await db.dataFlow.findMany({ where: { agentId: { in: allAgents.map((a) => a.id) }, status: "approved" }, select: { agentId: true, host: true } }) : [];
  const pairs = allAgents.length
    ? await db.agentLinkApproval.findMany({
        where: { fromAgentId: { in: allAgents.map((a) => a.id) } },
        select: { fromAgentId: true, toAgent: { select: { gatewayId: true, externalId: true, name: true } } },
      })
    : [];
  const built = new Map<string, PolicyAgent[]>();
  for (const gatewayId of ids) {
    const agents = allAgents.filter((a) => a.gatewayId === gatewayId);
    const policyAgents: PolicyAgent[] = agents.map((a) => ({
      id: a.externalId ?? a.name,
      wardenId: a.id,
      name: a.name,
      status: a.status,
      egressHosts: approvedHosts(flows.filter((f) => f.agentId === a.id).map((f) => f.host)),
      peers: [...new Set(pairs.filter((p) => p.fromAgentId === a.id && p.toAgent.gatewayId === gatewayId).map((p) => p.toAgent.externalId ?? p.toAgent.name))].sort(),
      tools: (lists.get(a.id)?.entries ?? [])
        .filter((e) => e.status === "allowed")
        .map((e) => ({
          name: e.toolName,
          kind: e.kind,
          versions: e.versions.map((v) => ({ version: v.version, contentHash: v.contentHash })).sort((x, y) => x.contentHash.localeCompare(y.contentHash)),
          ...(e.exception && e.versions.length === 0 ? { exceptionUntil: e.exception.expiresAt.toISOString() } : {}),
          ...(e.until ? { until: e.until.toISOString() } : {}),
          ...(e.conditions ? { conditions: e.conditions } : {}),
        }))
        .sort((x, y) => x.name.localeCompare(y.name)),
    }));
    built.set(gatewayId, policyAgents);
  }
  // Approval rules and grants for every gateway's agents at once (lib/approvals).
  await addApprovalPolicy([...built.values()].flat(), now);
  const out = new Map<string, GatewayPolicy>();
  for (const gatewayId of ids) {
    const policyAgents = built.get(gatewayId)!;
    const set = settings.get(gatewayId)!;
    const ident = identity.get(gatewayId);
    // Only with identity rules or limits: every other policy (and its version) is what it was before.
    const content = { gatewayId, defaultDecision: "deny" as const, onExpiry: set.onExpiry, agents: policyAgents, containment: containment.get(gatewayId)!, ...(ident ? { identity: ident } : {}) };
    const version = createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 20);
    out.set(gatewayId, { schema: "warden.policy/v1", version, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + set.ttlSeconds * 1000).toISOString(), ...content });
  }
  return out;
}

/** Data-flow hosts as the gateway compares them: re-validated (never trust stored rows blindly), sorted, unique. */
function approvedHosts(hosts: string[]): string[] {
  const ok = hosts
    .map((h) => ZHost.safeParse(h))
    .filter((r) => r.success)
    .map((r) => r.data);
  return [...new Set(ok)].sort();
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

type CacheRow = { gateway_id: string; version: string | null; etag: string | null; signed: SignedGatewayPolicy | null; expires_at: Date | null; valid_until: Date | null; stale: boolean; gen: string };
type Served = { signed: SignedGatewayPolicy; etag: string };

/**
 * The gateway's signed policy, signed once per content version and cached in Postgres (shared by
 * every Warden replica). A fresh cache row answers with one query: no allowlist computation and no
 * signing. The row is marked stale in the transaction of every change that alters the policy
 * (database triggers, warden_policy_touch), and is recomputed after `valid_until`: the next time
 * bound in the policy (an exception ending), half the policy's lifetime (so the expiry the gateway
 * holds is renewed long before it passes), or 5 minutes. A recomputation with an unchanged version
 * and a far enough expiry keeps the stored signature; a recomputation that raced with a change
 * (`gen` moved) serves what it computed but leaves the row stale. Requests that miss together
 * (200 gateways refetching after one change) are recomputed together, in one batch.
 */
export async function cachedSignedPolicy(gatewayId: string, now = new Date()): Promise<Served> {
  const row = await readCache(gatewayId);
  if (row && !row.stale && row.signed && row.etag && row.valid_until && row.valid_until > now) return { signed: row.signed, etag: row.etag };
  return recompute({ gatewayId, row: row ?? null });
}

/** Cache reads arriving together (a fleet refetching after one change) are one statement. */
const readCache = grouped(async (ids: string[]): Promise<(CacheRow | null)[]> => {
  const { rows } = await connectorPool().query<CacheRow>(
    `select gateway_id::text, version, etag, signed, expires_at, valid_until, stale, gen::text from gateway_policies where gateway_id = any($1::uuid[])`,
    [[...new Set(ids)]],
  );
  const byId = new Map(rows.map((r) => [r.gateway_id, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

const recompute = grouped(async (items: { gatewayId: string; row: CacheRow | null }[]): Promise<Served[]> => {
  const now = new Date();
  const ids = [...new Set(items.map((i) => i.gatewayId))];
  const built = await buildGatewayPolicies(ids, now);
  const rowOf = new Map(items.map((i) => [i.gatewayId, i.row]));
  const grantEnds = await nextGrantEnds(ids, now);
  const served = new Map<string, Served & { expiresAt: Date; validUntil: Date; gen: string }>();
  for (const id of ids) {
    const policy = built.get(id)!;
    const row = rowOf.get(id) ?? null;
    const ttlMs = Date.parse(policy.expiresAt) - now.getTime();
    let signed: SignedGatewayPolicy;
    // Same content, and the stored signature's expiry is still more than half a lifetime away: keep it.
    if (row?.signed && row.version === policy.version && row.expires_at && row.expires_at.getTime() - now.getTime() > ttlMs / 2) signed = row.signed;
    else signed = await signPolicy(policy);
    const expiresAt = new Date(signed.policy.expiresAt);
    const validUntil = new Date(Math.min(now.getTime() + MAX_CACHE_MS, expiresAt.getTime() - ttlMs / 2, nextTimeBound(signed.policy, now.getTime()), grantEnds.get(id) ?? Infinity));
    const etag = `"${signed.policy.version}.${Date.parse(signed.policy.issuedAt).toString(36)}"`;
    served.set(id, { signed, etag, expiresAt, validUntil, gen: row?.gen ?? "0" });
  }
  const list = [...served.entries()];
  await connectorPool().query(
    `insert into gateway_policies as p (gateway_id, version, etag, signed, expires_at, valid_until, stale, gen, computed_at)
     select v.id, v.version, v.etag, v.signed, v.expires_at, v.valid_until, false, v.gen, now()
       from unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[], $7::bigint[]) as v(id, version, etag, signed, expires_at, valid_until, gen)
     on conflict (gateway_id) do update set version = excluded.version, etag = excluded.etag, signed = excluded.signed, expires_at = excluded.expires_at,
       valid_until = excluded.valid_until, stale = false, computed_at = now()
     where p.gen = excluded.gen`,
    [
      list.map(([id]) => id),
      list.map(([, s]) => s.signed.policy.version),
      list.map(([, s]) => s.etag),
      list.map(([, s]) => JSON.stringify(s.signed)),
      list.map(([, s]) => s.expiresAt),
      list.map(([, s]) => s.validUntil),
      list.map(([, s]) => s.gen),
    ],
  );
  return items.map((i) => {
    const s = served.get(i.gatewayId)!;
    return { signed: s.signed, etag: s.etag };
  });
});

/** When the next grant or exception of each gateway's agents ends (grants leave the allowlist then). */
async function nextGrantEnds(gatewayIds: string[], now: Date): Promise<Map<string, number>> {
  const { rows } = await connectorPool().query<{ gateway_id: string; t: Date }>(
    `select a.gateway_id::text, min(g.expires_at) as t from grants g join agents a on a.id = g.agent_id
      where a.gateway_id = any($1::uuid[]) and g.revoked_at is null and g.expires_at > $2 group by a.gateway_id`,
    [gatewayIds, now],
  );
  return new Map(rows.map((r) => [r.gateway_id, r.t.getTime()]));
}
