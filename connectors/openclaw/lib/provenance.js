// Delegation provenance: who is behind a session an agent created (sessions_spawn → subagent_spawned)
// or wrote into (sessions_send). A call in such a session is the originating person's call, made
// through the chain of agents that led there (docs/connector-protocol.md, "Who asked"). Bounded
// (LRU + expiry) in process memory, shared by every registry instance of the plugin in the process,
// and saved to the spool dir so a plugin reload keeps it.
import fs from "node:fs";
import { normalizeRequester, requesterKey } from "./requester.js";

/** Chains carried on events: at most 16 agent ids of at most 200 characters. */
export const MAX_REPORTED_CHAIN = 16;
/** Kept internally (scope narrowing checks every agent): a deeper chain is cut in the middle. */
const MAX_CHAIN = 64;
const SUBAGENT_KEY = /^agent:[^:]+:subagent:/i;

const cleanChain = (chain, max = MAX_CHAIN) => {
  const ids = (Array.isArray(chain) ? chain : []).filter((a) => typeof a === "string" && a.trim()).map((a) => a.trim().slice(0, 200));
  return ids.length > max ? [ids[0], ...ids.slice(-(max - 1))] : ids;
};
/** The chain as reported to Warden (first agent kept, then the last 15). */
export const reportedChain = (chain) => cleanChain(chain, MAX_REPORTED_CHAIN);
/** The agent id of an "agent:<id>:…" session key, lower case. */
export const agentOfSessionKey = (key) => /^agent:([^:]+):/i.exec(typeof key === "string" ? key.trim() : "")?.[1]?.toLowerCase();
const keyOf = (k) => (typeof k === "string" && k.trim() ? k.trim().slice(0, 500).toLowerCase() : undefined);

/**
 * Who is behind a call: { requester, chain, tier, others } — `requester` the originating person's
 * (inherited down a delegation; a child's own ctx.requester never replaces it), `chain` [] for a
 * direct call else the agents from the first to the calling one, `others` further requesters to
 * decide the call for as well (a send target's own, differing, provable requester: the call may
 * hold no more than either person).
 */
export function effectiveCaller({ own, inherited, agentId, sessionKey }) {
  const mine = normalizeRequester(own);
  if (inherited) {
    let chain = cleanChain(inherited.chain);
    if (agentId && chain[chain.length - 1] !== agentId) chain = cleanChain([...chain, agentId]);
    const k = requesterKey(mine);
    const others = [...(k && k !== requesterKey(inherited.requester) ? [mine] : []), ...(inherited.others ?? [])];
    return { requester: normalizeRequester(inherited.requester), chain, tier: "subagent", others };
  }
  // A sub-agent session whose spawn was not seen (yet): delegated, origin unknown → unidentified.
  if (SUBAGENT_KEY.test(String(sessionKey ?? "").trim())) return { requester: undefined, chain: agentId ? [agentId] : [], tier: "subagent", others: mine && requesterKey(mine) ? [mine] : [], unknownOrigin: true };
  return { requester: mine, chain: [], tier: "interactive", others: [] };
}

/**
 * @param {{ file?: string, max?: number, ttlMs?: number, sendTtlMs?: number, now?: () => number, logger?: object }} opts
 */
export function createProvenance({ file, max = 5000, ttlMs = 24 * 3600_000, sendTtlMs = 3600_000, now = () => Date.now(), logger } = {}) {
  const delegated = new Map(); // child session key -> { requester?, chain, kind, at, until }
  const seen = new Map(); // session key -> { requester?, chain, at } (the last call's effective caller)
  const waiters = new Map(); // child session key -> resolve functions waiting for its delegation
  const waited = new Map(); // sub-agent session keys already waited for once (bounded)
  const touch = (map, k, v, cap) => {
    map.delete(k);
    map.set(k, v);
    while (map.size > cap) map.delete(map.keys().next().value);
  };
  if (file) {
    try {
      const raw = JSON.parse(fs.readFileSync(file, "utf8"));
      for (const [k, v] of Array.isArray(raw?.delegated) ? raw.delegated.slice(-max) : []) {
        if (typeof k === "string" && v && Number(v.until) > now()) delegated.set(k, { requester: normalizeRequester(v.requester), chain: cleanChain(v.chain), kind: v.kind === "send" ? "send" : "spawn", at: Number(v.at) || 0, until: Number(v.until), others: (Array.isArray(v.others) ? v.others : []).map(normalizeRequester).slice(0, 8) });
      }
    } catch {
      // none yet, or unreadable: start empty
    }
  }
  let saving = false;
  const save = () => {
    if (!file || saving) return;
    saving = true;
    // Coalesced: a burst of spawns writes once.
    setTimeout(() => {
      saving = false;
      try {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify({ delegated: [...delegated] }), { mode: 0o600 });
        fs.renameSync(tmp, file);
      } catch (err) {
        logger?.warn?.(`warden: could not save delegation provenance (${err?.message ?? err})`);
      }
    }, 200).unref?.();
  };
  const api = {
    /** The inherited caller of a session, if it was delegated to (and not expired). */
    inherited(sessionKey) {
      const k = keyOf(sessionKey);
      const v = k ? delegated.get(k) : undefined;
      if (!v) return undefined;
      if (v.until <= now()) {
        delegated.delete(k);
        return undefined;
      }
      // A sub-agent still at work keeps its origin: each call slides its spawn's expiry forward (a
      // send's attribution still ends an hour after the send).
      if (v.kind === "spawn") v.until = Math.max(v.until, now() + ttlMs);
      touch(delegated, k, v, max);
      return v;
    },
    /** Remember the effective caller of a call in a session (the parent side of a later spawn). */
    noteCaller(sessionKey, caller) {
      const k = keyOf(sessionKey);
      if (k) touch(seen, k, { requester: caller.requester, chain: caller.chain, at: now() }, max);
    },
    /** The parent's caller: what its own calls were attributed to (or what it inherited). */
    callerOf(sessionKey) {
      const k = keyOf(sessionKey);
      if (!k) return undefined;
      return api.inherited(k) ?? seen.get(k);
    },
    /**
     * A parent session delegated to a child session (of childAgent): the child inherits the parent's
     * originating requester and chain + the child agent. An unknown parent gives an unidentified child.
     */
    delegate({ parentSessionKey, parentAgentId, childSessionKey, childAgentId, kind = "spawn" }) {
      const child = keyOf(childSessionKey);
      if (!child) return undefined;
      const parent = api.callerOf(parentSessionKey);
      const pAgent = parentAgentId ?? agentOfSessionKey(parentSessionKey);
      const parentChain = parent?.chain?.length ? parent.chain : pAgent ? [pAgent] : [];
      const cAgent = childAgentId ?? agentOfSessionKey(childSessionKey);
      const chain = cleanChain(cAgent && parentChain[parentChain.length - 1] !== cAgent ? [...parentChain, cAgent] : parentChain);
      const t = now();
      const requester = normalizeRequester(parent?.requester);
      const v = { requester, chain, kind, at: t, until: t + (kind === "send" ? sendTtlMs : ttlMs), others: [] };
      // A sub-agent session keeps its spawn's origin (a later send cannot launder it). A session
      // several people's agents wrote into is decided for each of them (never more than any).
      const prev = api.inherited(child);
      if (prev && prev.kind === "spawn") return prev;
      if (prev) {
        const k = requesterKey(requester);
        v.others = [prev.requester, ...(prev.others ?? [])].filter((r) => requesterKey(r) !== k).slice(0, 8);
      }
      touch(delegated, child, v, max);
      save();
      for (const resolve of waiters.get(child) ?? []) resolve();
      waiters.delete(child);
      return v;
    },
    /**
     * OpenClaw announces a spawn (subagent_spawned) after it launched the child run: a sub-agent
     * session's first call may come before it. Such a call waits (once per session, at most ms) for
     * the announcement, so it is decided for the right person.
     */
    shouldWait(sessionKey) {
      const k = keyOf(sessionKey);
      return Boolean(k && SUBAGENT_KEY.test(k) && !waited.has(k) && !api.inherited(k));
    },
    waitFor(sessionKey, ms) {
      const k = keyOf(sessionKey);
      if (!k) return Promise.resolve();
      touch(waited, k, true, max);
      return new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        const list = waiters.get(k) ?? [];
        list.push(() => {
          clearTimeout(t);
          resolve();
        });
        waiters.set(k, list);
      }).finally(() => {
        waiters.delete(k);
      });
    },
    size: () => delegated.size,
  };
  return api;
}

/** One provenance store per spool file in this process (every registry instance shares it). */
export function sharedProvenance(file, opts = {}) {
  const reg = (globalThis[Symbol.for("warden.provenance")] ??= new Map());
  if (!reg.has(file)) reg.set(file, createProvenance({ file, ...opts }));
  return reg.get(file);
}
