// One tool call is one row. A gateway reports a call in two events, its decision and its result
// (eventIds "<call>.decision" and "<call>.result"); when both travel together the plugin sends one
// event, but a flush between them sends them apart, in any order, repeated, or to two replicas at
// once. Ingestion (lib/tool-calls/ingest.ts) merges them into one row with these pure rules.

/** One tool_calls row as ingestion writes it (JSON texts already redacted). */
export type CallRow = {
  occurredAt: string;
  eventId: string;
  agentId: string | null;
  agentName: string;
  sessionKey: string | null;
  toolName: string;
  toolVersion: string | null;
  toolHash: string | null;
  /** Redacted JSON text (lone surrogates as U+FFFD). */
  params: string | null;
  result: string | null;
  decision: "allowed" | "blocked" | "not_run";
  policyDecision: "allowed" | "blocked" | null;
  blockReason: string | null;
  durationMs: number | null;
  error: string | null;
  egressHosts: string[];
  tokensIn: number | null;
  tokensOut: number | null;
  costUsd: string | null;
  /** The gateway agent id the call reaches (agent → agent edges, counted by the insert trigger). */
  targetAgentId: string | null;
  /** Who asked: the normalised, redacted requester as JSON text. */
  requester: string | null;
  requesterKind: "person" | "unmapped" | "none";
  personId: string | null;
  /** The delegation chain (gateway agent ids); [] for a direct call. */
  chain: string[];
  /** The call's agent's team, else its gateway's. */
  teamId: string | null;
};

export type CallKey = { callId: string; phase: "decision" | "result" };

const SUFFIX = /^(.+)\.(decision|result)$/s;

/** The call an event belongs to, from its eventId ("<call>.decision" / "<call>.result"), or null. */
export function callKeyOf(eventId: string): CallKey | null {
  const m = SUFFIX.exec(eventId);
  return m ? { callId: m[1], phase: m[2] as CallKey["phase"] } : null;
}

const isDecision = (r: CallRow) => callKeyOf(r.eventId)?.phase === "decision";
const byTime = (a: CallRow, b: CallRow) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
const first = <T>(...v: (T | null | undefined)[]): T | null => v.find((x) => x !== null && x !== undefined) ?? null;

/**
 * The one row of a call from all its events (stored rows and new events; at least one). The row
 * keeps the decision event's key and time (the call's start); the decision, its reason and the
 * params come from the decision event, the result, duration and error from the result event
 * (the latest one wins, one showing the call ran over one saying it did not). A call the policy allowed that the gateway then refused (a result saying
 * not_run) is not_run with policyDecision "allowed"; a blocked call stays blocked. Without a
 * decision event the result event stands alone.
 */
export function mergeCall(events: CallRow[]): CallRow {
  const sorted = [...events].sort(byTime);
  const decisions = sorted.filter(isDecision);
  const results = sorted.filter((r) => !isDecision(r));
  const d = decisions[0] ?? null;
  // A result showing the call ran outweighs one saying it did not (e.g. a Tool Search wrapper's).
  const ran = results.filter((x) => x.decision !== "not_run");
  const r = (ran.length ? ran : results).at(-1) ?? null;
  const base = d ?? r!;
  const resultSide = r ?? d!;
  let decision = base.decision;
  let policyDecision = base.policyDecision;
  if (d && r && d.decision === "allowed" && r.decision === "not_run") {
    decision = "not_run";
    policyDecision = "allowed";
  } else if (d && d.decision === "not_run") {
    policyDecision = first(d.policyDecision, r?.policyDecision);
  }
  if (decision !== "not_run") policyDecision = null;
  const hosts = [...new Set(sorted.flatMap((x) => x.egressHosts))].slice(0, 50);
  return {
    occurredAt: base.occurredAt,
    eventId: base.eventId,
    agentId: first(d?.agentId, r?.agentId),
    agentName: base.agentName,
    sessionKey: first(d?.sessionKey, r?.sessionKey),
    toolName: base.toolName,
    toolVersion: first(d?.toolVersion, r?.toolVersion),
    toolHash: first(d?.toolHash, r?.toolHash),
    params: first(d?.params, r?.params),
    result: first(resultSide.result, d?.result),
    decision,
    policyDecision,
    blockReason: first(d?.blockReason, r?.blockReason),
    durationMs: first(resultSide.durationMs, d?.durationMs),
    error: first(resultSide.error, d?.error),
    egressHosts: hosts,
    tokensIn: first(d?.tokensIn, r?.tokensIn),
    tokensOut: first(d?.tokensOut, r?.tokensOut),
    costUsd: first(d?.costUsd, r?.costUsd),
    targetAgentId: first(d?.targetAgentId, r?.targetAgentId),
    // Who asked: the event that says most (a person over an unmapped sender over none), decision first.
    ...whoAsked(d, r),
    chain: d?.chain.length ? d.chain : (r?.chain ?? []),
    teamId: first(d?.teamId, r?.teamId),
  };
}

const KIND_RANK = { person: 2, unmapped: 1, none: 0 } as const;
function whoAsked(d: CallRow | null, r: CallRow | null): Pick<CallRow, "requester" | "requesterKind" | "personId"> {
  const best = [d, r].filter((x): x is CallRow => x !== null).reduce((a, b) => (KIND_RANK[b.requesterKind] > KIND_RANK[a.requesterKind] ? b : a));
  return { requester: best.requester ?? first(d?.requester, r?.requester), requesterKind: best.requesterKind, personId: best.personId };
}

/** What the rollups count of a row: a change here means delete + insert, not an update in place. */
export const rollupKey = (r: CallRow) =>
  JSON.stringify([r.occurredAt, r.eventId, r.agentId, r.agentName, r.toolName, r.decision, r.tokensIn, r.tokensOut, r.costUsd === null ? null : Number(r.costUsd), r.targetAgentId]);

/** Equal rows (JSON texts compared as parsed values: jsonb does not keep the text). */
export function sameRow(a: CallRow, b: CallRow): boolean {
  const norm = (r: CallRow) =>
    JSON.stringify({
      ...r,
      params: r.params === null ? null : canonical(JSON.parse(r.params)),
      result: r.result === null ? null : canonical(JSON.parse(r.result)),
      requester: r.requester === null ? null : canonical(JSON.parse(r.requester)),
      costUsd: r.costUsd === null ? null : Number(r.costUsd),
      egressHosts: [...r.egressHosts].sort(),
    });
  return norm(a) === norm(b);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}
