// Who may use what: the signed policy's `identity` section (docs/connector-protocol.md, "Identity
// rules and rate limits"). Pure functions of (identity section, call), plus a process-local
// sliding-window rate limiter. The call is decided for its ORIGINATING person: for a delegated call
// that is the person behind the first agent of the chain, not whoever the child session claims.
import { requesterKey } from "./requester.js";
import { boundedTimeout } from "./approval-rules.js";

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const own = (obj, key) => (isObj(obj) && typeof key === "string" && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined);
const SUBJECT_RANK = { person: 3, group: 2, unidentified: 1, anyone: 0 };
const EFFECT_RANK = { deny: 2, require_approval: 1, allow: 0 };
/** Sliding window of a rate limit. */
export const WINDOW_MS = 60_000;

/**
 * The person behind a requester in the identity section: { key, personId?, groups[] }. key is
 * requesterKey (undefined when the requester is not provable: no channel and sender).
 */
export function personOf(identity, requester) {
  const key = requesterKey(requester);
  const entry = key ? own(identity?.people, key) : undefined;
  if (!isObj(entry) || typeof entry.person !== "string" || !entry.person) return { key, groups: [] };
  const groups = Array.isArray(entry.groups) ? entry.groups.filter((g) => typeof g === "string" && g) : [];
  return { key, personId: entry.person, groups };
}

/** Whether a rule's or limit's subject covers this person (subject ids compared exactly). */
function subjectMatches(r, who) {
  switch (r.subject) {
    case "person":
      return typeof r.subjectId === "string" && who.personId !== undefined && r.subjectId === who.personId;
    case "group":
      return typeof r.subjectId === "string" && who.groups.includes(r.subjectId);
    case "unidentified":
      return who.key === undefined;
    case "anyone":
      return true;
    default:
      return false;
  }
}
const fieldMatches = (value, actual) => value === undefined || value === null || value === actual;

/** The section's shape problem, or null: a present but malformed section blocks every call. */
export function identityProblem(identity) {
  if (identity === undefined || identity === null) return null;
  if (!isObj(identity)) return "the policy's identity section is malformed";
  if (identity.people !== undefined && !isObj(identity.people)) return "the policy's identity people map is malformed";
  if (identity.rules !== undefined && !Array.isArray(identity.rules)) return "the policy's identity rules are malformed";
  if (identity.rateLimits !== undefined && !Array.isArray(identity.rateLimits)) return "the policy's rate limits are malformed";
  // An entry this plugin cannot read (an unknown subject or effect from a newer Warden, a wrong type)
  // might be a deny: the whole section is refused rather than that entry skipped.
  const optText = (v) => v === undefined || v === null || typeof v === "string";
  const subjectOk = (r) => Object.hasOwn(SUBJECT_RANK, r.subject) && (r.subject === "person" || r.subject === "group" ? typeof r.subjectId === "string" && r.subjectId !== "" : true);
  for (const r of identity.rules ?? []) {
    if (!isObj(r) || !subjectOk(r) || !Object.hasOwn(EFFECT_RANK, r.effect) || !optText(r.agent) || !optText(r.tool)) return "the policy has an identity rule this plugin cannot read";
  }
  for (const l of identity.rateLimits ?? []) {
    if (!isObj(l) || typeof l.id !== "string" || !l.id || !subjectOk(l) || !optText(l.agent) || !optText(l.tool) || !optText(l.tier)) return "the policy has a rate limit this plugin cannot read";
  }
  return null;
}

/**
 * The identity rule deciding a call: most specific wins (subject person > group > unidentified >
 * anyone, then a rule naming the tool, then one naming the agent); a tie goes to deny, then
 * require_approval, then allow. effect null: no rule matched (no identity restriction).
 * @param {unknown} identity the policy's identity section (absent: no rules)
 * @param {{ requester?: object, agentId?: string, toolName: string }} call
 */
export function identityDecision(identity, { requester, agentId, toolName }) {
  const who = personOf(identity, requester);
  const base = { ...(who.personId ? { personId: who.personId, groups: who.groups } : {}) };
  const problem = identityProblem(identity);
  if (problem) return { effect: "deny", reason: `Warden: ${problem} (fail closed)`, ...base };
  let best;
  let bestScore = -1;
  for (const r of identity?.rules ?? []) {
    if (!isObj(r) || !Object.hasOwn(SUBJECT_RANK, r.subject) || !Object.hasOwn(EFFECT_RANK, r.effect)) continue;
    if (!subjectMatches(r, who) || !fieldMatches(r.agent, agentId) || !fieldMatches(r.tool, toolName)) continue;
    const score = SUBJECT_RANK[r.subject] * 100 + (r.tool != null ? 10 : 0) + (r.agent != null ? 1 : 0);
    if (score > bestScore || (score === bestScore && EFFECT_RANK[r.effect] > EFFECT_RANK[best.effect])) {
      best = r;
      bestScore = score;
    }
  }
  if (!best) return { effect: null, reason: "no identity rule matched", ...base };
  const who_ = best.subject === "person" || best.subject === "group" ? "this person" : best.subject === "unidentified" ? "an unidentified requester" : "anyone";
  const text = typeof best.reason === "string" && best.reason.trim() ? best.reason.trim().slice(0, 500) : `${best.effect.replace("_", " ")} for ${who_}`;
  const rule = { id: String(best.id ?? ""), subject: best.subject, effect: best.effect, ...(best.timeoutMs !== undefined ? { timeoutMs: boundedTimeout(best.timeoutMs) } : {}) };
  const reason =
    best.effect === "deny"
      ? `Warden: ${toolName} denied for ${who_} by an identity rule: ${text}`
      : best.effect === "require_approval"
        ? `identity rule: ${text}`
        : `allowed by an identity rule: ${text}`;
  return { effect: best.effect, rule, reason, ...base };
}

/**
 * Scope narrowing: the call is decided for every person behind it and every agent of its chain; the
 * most restrictive outcome wins (deny > require_approval > allow/none). `requesters` lists the
 * originating requester first (undefined = unidentified); `agents` the chain plus the calling agent.
 */
export function identityDecisionForChain(identity, { requesters, agents, toolName }) {
  let worst;
  for (const requester of requesters.length ? requesters : [undefined]) {
    for (const agentId of agents.length ? agents : [undefined]) {
      const d = identityDecision(identity, { requester, agentId, toolName });
      const rank = d.effect ? EFFECT_RANK[d.effect] : -1;
      const worstRank = worst ? (worst.effect ? EFFECT_RANK[worst.effect] : -1) : -2;
      if (rank > worstRank) worst = { ...d, ...(d.effect && agentId ? { agentId } : {}) };
      if (d.effect === "deny") return worst;
    }
  }
  return worst;
}

/** The counter subject of a call: the person, else the requester key, else "-" (unidentified). */
export function subjectKeyOf(who) {
  return who.personId ?? who.key ?? "-";
}

/**
 * Rate limits counted on this gateway: a sliding 60 s window of allowed calls per (limit id,
 * subject). `check` lists every limit that applies (all of them count, not only the most specific);
 * `commit` counts an allowed call against the local ones and returns a handle for `release` (a
 * call that ends up blocked, e.g. an approval denied, gives its slot back). Shared limits are
 * counted by Warden (consumeShared), not here.
 */
export function createRateLimiter({ now = () => Date.now(), maxKeys = 50_000 } = {}) {
  const windows = new Map(); // "<limitId>\0<subject>" -> timestamps (ascending)
  const live = (k, t) => {
    const w = windows.get(k);
    if (!w) return [];
    while (w.length && w[0] <= t - WINDOW_MS) w.shift();
    if (!w.length) windows.delete(k);
    return w;
  };
  return {
    /**
     * @param identity the policy's identity section
     * @param ctx { requester?, agentId?, chain?: string[], toolName, tier: "interactive"|"subagent" }
     * @returns {{ id: string, perMinute: number, shared: boolean, subjectKey: string, count: number, exhausted: boolean }[]}
     */
    check(identity, ctx) {
      const who = personOf(identity, ctx.requester);
      const subjectKey = subjectKeyOf(who);
      const agents = new Set([...(Array.isArray(ctx.chain) ? ctx.chain : []), ...(ctx.agentId ? [ctx.agentId] : [])]);
      const t = now();
      const out = [];
      for (const l of identity?.rateLimits ?? []) {
        if (!isObj(l) || typeof l.id !== "string" || !l.id || !Object.hasOwn(SUBJECT_RANK, l.subject) || !subjectMatches(l, who)) continue;
        // A limit on an agent covers its calls and those of every sub-agent it delegated to.
        if (l.agent != null && !agents.has(l.agent)) continue;
        if (!fieldMatches(l.tool, ctx.toolName) || !fieldMatches(l.tier, ctx.tier)) continue;
        const perMinute = Number.isInteger(l.perMinute) && l.perMinute >= 0 ? l.perMinute : 0; // malformed: no calls
        const shared = l.shared === true;
        const count = shared ? 0 : live(`${l.id}\u0000${subjectKey}`, t).length;
        out.push({ id: l.id, perMinute, shared, subjectKey, count, exhausted: !shared && count >= perMinute });
      }
      return out;
    },
    /** Count one allowed call against each local limit listed by check(); returns the handle for release(). */
    commit(limits) {
      const t = now();
      const taken = [];
      for (const l of limits) {
        if (l.shared) continue;
        const k = `${l.id}\u0000${l.subjectKey}`;
        const w = live(k, t);
        if (!windows.has(k)) {
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value);
          windows.set(k, w);
        }
        w.push(t);
        taken.push([k, t]);
      }
      return taken;
    },
    /** Give back the slots of a call that was finally blocked (a blocked call never counts). */
    release(taken) {
      for (const [k, t] of taken ?? []) {
        const w = windows.get(k);
        const i = w ? w.lastIndexOf(t) : -1;
        if (i >= 0) w.splice(i, 1);
      }
    },
  };
}

/** The block reason of an exhausted limit (names the limit). */
export function limitReason(l, how = "") {
  return `Warden: rate limit ${l.id} reached (${l.perMinute} call(s) per minute${l.shared ? ", counted by Warden" : ""})${how ? `: ${how}` : ""}`;
}

/**
 * Consume one call of a shared limit at Warden; { allowed, reason? }. Warden unreachable, slow or
 * answering anything but a well-formed 200 → not allowed (fail closed).
 */
export async function consumeShared(client, l) {
  if (!client?.consumeRateLimit) return { allowed: false, reason: limitReason(l, "the plugin cannot reach Warden (fail closed)") };
  try {
    const res = await client.consumeRateLimit(l.id, l.subjectKey);
    const data = res?.status === 200 ? res.json?.data : undefined;
    if (!isObj(data) || typeof data.allowed !== "boolean") return { allowed: false, reason: limitReason(l, "Warden's answer was not understood (fail closed)") };
    return data.allowed ? { allowed: true } : { allowed: false, reason: limitReason(l, `${Number(data.count) || 0} of ${Number(data.limit) || l.perMinute} used${typeof data.resetAt === "string" ? ` until ${data.resetAt.slice(0, 40)}` : ""}`) };
  } catch (err) {
    return { allowed: false, reason: limitReason(l, `Warden could not be asked (${String(err?.message ?? err).slice(0, 200)}); fail closed`) };
  }
}

/** The approval a require_approval identity rule asks for (shape of approval-rules.js needsApproval). */
export function identityNeed(d) {
  return { ruleId: `identity:${d.rule?.id ?? "unknown"}`.slice(0, 200), reason: d.reason, timeoutMs: boundedTimeout(d.rule?.timeoutMs) };
}
