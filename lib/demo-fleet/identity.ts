/**
 * The identity part of a demo gateway's decision, made by the OpenClaw plugin's own code
 * (connectors/openclaw/lib/identity.js): the signed policy's `identity` section (per-person and
 * per-group rules, rate limits) applied to a call's originating requester and its delegation chain,
 * so the demo (live fleet and seeded week) never decides differently from a real gateway.
 * Order as in the plugin: rules for every agent of the chain (scope narrowing), then every matching
 * rate limit, counted per person over a sliding minute of allowed calls.
 */
import { createRateLimiter, identityDecisionForChain, identityNeed, limitReason, personOf, type AppliedLimit } from "@/connectors/openclaw/lib/identity.js";
import type { IdentityRule, IdentitySection as PluginIdentitySection, IdentitySubject, RateLimit } from "@/connectors/openclaw/lib/identity.js";

export type { IdentitySubject };
export type IdentityRuleEntry = IdentityRule;
export type RateLimitEntry = RateLimit;
/** The signed policy's `identity` section. */
export type IdentitySection = PluginIdentitySection;

export type IdentityCall = {
  agentId: string;
  toolName: string;
  /** The originating requester (OpenClaw ctx.requester, inherited down the chain). */
  requester?: { channel?: string; accountId?: string; senderId?: string } | undefined;
  /** [] for a direct call; else the agents from the first to the calling one. */
  chain?: string[];
  tier?: "interactive" | "subagent";
};

export type IdentityVerdict =
  | { allow: true; personId?: string; counted: AppliedLimit[] }
  | { allow: false; code: "identity_denied" | "rate_limited"; reason: string; ruleId: string }
  | { allow: false; code: "identity_approval"; reason: string; ruleId: string; timeoutMs: number };

/** One gateway's rate-limit counters (the plugin's limiter) on a clock the caller sets (the seed replays a week). */
export class RateWindow {
  private at = 0;
  readonly limiter = createRateLimiter({ now: () => this.at });
  tick(now: number): this {
    this.at = now;
    return this;
  }
  add(counted: AppliedLimit[], now: number): void {
    this.tick(now).limiter.commit(counted);
  }
}

/**
 * The identity verdict for a call decide() already allowed for every agent of its chain. Without an
 * identity section: no identity restriction. A blocked call is never counted; an allowed one is
 * counted by `window.add(verdict.counted, now)` once it runs.
 */
export function identityDecision(identity: IdentitySection | null | undefined, call: IdentityCall, window: RateWindow | null, now = Date.now()): IdentityVerdict {
  const who = personOf(identity, call.requester);
  if (!identity) return { allow: true, ...(who.personId ? { personId: who.personId } : {}), counted: [] };
  const chain = call.chain ?? [];
  const agents = chain.length ? chain : [call.agentId];
  const d = identityDecisionForChain(identity, { requesters: [call.requester], agents, toolName: call.toolName });
  if (d?.effect === "deny") return { allow: false, code: "identity_denied", reason: d.reason, ruleId: d.rule?.id ?? "" };
  if (d?.effect === "require_approval") {
    const need = identityNeed(d);
    return { allow: false, code: "identity_approval", reason: need.reason, ruleId: d.rule?.id ?? "", timeoutMs: need.timeoutMs };
  }
  const tier = call.tier ?? (chain.length > 1 ? "subagent" : "interactive");
  const limits = (window ?? new RateWindow()).tick(now).limiter.check(identity, { requester: call.requester, agentId: call.agentId, chain, toolName: call.toolName, tier });
  // Shared limits are counted by Warden, not by a demo gateway: the demo has none.
  const over = window ? limits.find((l) => l.exhausted) : undefined;
  if (over) return { allow: false, code: "rate_limited", reason: limitReason(over), ruleId: over.id };
  return { allow: true, ...(who.personId ? { personId: who.personId } : {}), counted: limits };
}
