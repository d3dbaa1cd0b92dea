/**
 * The identity part of a demo gateway's decision: the signed policy's `identity` section (per-person
 * and per-group rules, rate limits) applied to a call's originating requester and delegation chain,
 * with the semantics the OpenClaw plugin enforces (docs/identity.md).
 *
 * An adapter: when the plugin's own identity decision (connectors/openclaw/lib/identity.js) is
 * available, `identityDecision` below should call it instead, so the demo never decides differently
 * from a real gateway. Until then it follows the shared contract: most specific rule wins, every
 * agent of the chain must be allowed (scope narrowing), every matching rate limit applies, counted
 * per person over a sliding minute of allowed calls.
 */
import { requesterKey } from "@/connectors/openclaw/lib/requester.js";

export type IdentitySubject = "person" | "group" | "unidentified" | "anyone";
export type IdentityRuleEntry = {
  id: string;
  subject: IdentitySubject;
  subjectId?: string;
  agent?: string;
  tool?: string;
  effect: "allow" | "deny" | "require_approval";
  reason: string;
  timeoutMs?: number;
};
export type RateLimitEntry = { id: string; subject: IdentitySubject; subjectId?: string; agent?: string; tool?: string; tier?: "interactive" | "subagent"; perMinute: number; shared: boolean };
/** The signed policy's `identity` section. */
export type IdentitySection = { people: Record<string, { person: string; groups: string[] }>; rules: IdentityRuleEntry[]; rateLimits: RateLimitEntry[] };

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
  | { allow: true; personId?: string; counted: { id: string; subjectKey: string }[] }
  | { allow: false; code: "identity_denied" | "rate_limited"; reason: string; ruleId: string }
  | { allow: false; code: "identity_approval"; reason: string; ruleId: string; timeoutMs: number };

const RANK: Record<IdentitySubject, number> = { person: 3, group: 2, unidentified: 1, anyone: 0 };
const EFFECT_RANK = { deny: 2, require_approval: 1, allow: 0 } as const;

/** Who the call is for, as the identity section sees it. */
export function subjectOf(identity: IdentitySection | null | undefined, requester: IdentityCall["requester"]) {
  const key = requesterKey(requester);
  const entry = key ? identity?.people?.[key] : undefined;
  return { key, personId: entry?.person, groups: entry?.groups ?? [] };
}

function subjectMatches(r: { subject: IdentitySubject; subjectId?: string }, who: ReturnType<typeof subjectOf>): boolean {
  if (r.subject === "anyone") return true;
  if (r.subject === "unidentified") return !who.key;
  if (r.subject === "person") return Boolean(who.personId) && r.subjectId === who.personId;
  return Boolean(r.subjectId) && who.groups.includes(r.subjectId!);
}

/** The rule that decides `tool` at `agent` for this subject: the most specific, deny before approval before allow on a tie. */
export function winningRule(rules: IdentityRuleEntry[], who: ReturnType<typeof subjectOf>, agent: string, tool: string): IdentityRuleEntry | null {
  let best: IdentityRuleEntry | null = null;
  let bestScore = -1;
  for (const r of rules) {
    if ((r.agent && r.agent !== agent) || (r.tool && r.tool !== tool) || !subjectMatches(r, who)) continue;
    const score = RANK[r.subject] * 100 + (r.tool ? 10 : 0) + (r.agent ? 1 : 0);
    if (score > bestScore || (score === bestScore && best && EFFECT_RANK[r.effect] > EFFECT_RANK[best.effect])) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/** A sliding 60 s window of allowed calls per (limit, subject): what one gateway counts. */
export class RateWindow {
  private hits = new Map<string, number[]>();
  count(id: string, subjectKey: string, now: number): number {
    const k = `${id}\u0000${subjectKey}`;
    const recent = (this.hits.get(k) ?? []).filter((t) => t > now - 60_000);
    this.hits.set(k, recent);
    return recent.length;
  }
  add(counted: { id: string; subjectKey: string }[], now: number): void {
    for (const c of counted) {
      const k = `${c.id}\u0000${c.subjectKey}`;
      this.hits.set(k, [...(this.hits.get(k) ?? []), now]);
    }
  }
}

/**
 * The identity verdict for a call decide() already allowed for every agent of its chain. Without an
 * identity section: no identity restriction. A blocked call is never counted; an allowed one is
 * counted by `window.add(verdict.counted)` once it runs.
 */
export function identityDecision(identity: IdentitySection | null | undefined, call: IdentityCall, window: RateWindow | null, now = Date.now()): IdentityVerdict {
  const who = subjectOf(identity, call.requester);
  if (!identity) return { allow: true, personId: who.personId, counted: [] };
  const agents = call.chain?.length ? call.chain : [call.agentId];
  let approval: IdentityRuleEntry | null = null;
  for (const agent of agents) {
    const r = winningRule(identity.rules ?? [], who, agent, call.toolName);
    if (r?.effect === "deny") return { allow: false, code: "identity_denied", reason: `Warden: ${r.reason} (a per-person rule, for ${agent})`, ruleId: r.id };
    if (r?.effect === "require_approval") approval ??= r;
  }
  if (approval) return { allow: false, code: "identity_approval", reason: `Warden: ${approval.reason}`, ruleId: approval.id, timeoutMs: approval.timeoutMs ?? 600_000 };
  const subjectKey = who.personId ?? who.key ?? "-";
  const tier = call.tier ?? (agents.length > 1 ? "subagent" : "interactive");
  const counted: { id: string; subjectKey: string }[] = [];
  for (const l of identity.rateLimits ?? []) {
    if ((l.agent && l.agent !== call.agentId) || (l.tool && l.tool !== call.toolName) || (l.tier && l.tier !== tier) || !subjectMatches(l, who)) continue;
    if (window && window.count(l.id, subjectKey, now) >= l.perMinute)
      return { allow: false, code: "rate_limited", reason: `Warden: rate limit reached: at most ${l.perMinute} calls a minute for this person across every agent and sub-agent`, ruleId: l.id };
    counted.push({ id: l.id, subjectKey });
  }
  return { allow: true, personId: who.personId, counted };
}
