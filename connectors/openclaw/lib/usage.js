// Model usage from OpenClaw's llm_output hook (docs/connector-protocol.md, "Model usage"): one record
// per report of a run, with tokens, the gateway's own price when it has one, and whether the model
// that answered is the agent's configured primary. Only whitelisted metadata leaves the gateway:
// never the prompt, the assistant's texts or any provider credential.

import path from "node:path";
import { Spool } from "./spool.js";

const MAX_RUNS = 10_000;
// Reports seen per run in this process (a run that reports again gets "<runId>.llm.<n>"); shared by
// every registry instance of the plugin in the process.
const reportsPerRun = new Map();

const clean = (v, max) => (typeof v === "string" ? v.replaceAll("\u0000", "").trim().slice(0, max) : "");
const tokens = (v) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.min(Math.floor(v), Number.MAX_SAFE_INTEGER) : 0);
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** "provider/model" of a model setting (a string, or `{ primary }`), or undefined. */
function primaryOf(setting) {
  if (typeof setting === "string") return setting.trim() || undefined;
  if (isObj(setting) && typeof setting.primary === "string") return setting.primary.trim() || undefined;
  return undefined;
}

/**
 * The agent's configured primary model as "provider/model", resolved through the model aliases of
 * `agents.defaults.models`; undefined when the config does not say (or names an unknown alias).
 */
export function configuredPrimary(cfg, agentId) {
  const agents = isObj(cfg?.agents) ? cfg.agents : {};
  let entry;
  if (agentId !== undefined) {
    if (isObj(agents.entries) && Object.prototype.hasOwnProperty.call(agents.entries, agentId)) entry = agents.entries[agentId];
    else if (Array.isArray(agents.list)) entry = agents.list.find((a) => isObj(a) && a.id === agentId);
  }
  const ref = primaryOf(entry?.model) ?? primaryOf(agents.defaults?.model);
  if (!ref) return undefined;
  if (ref.includes("/")) return ref;
  // An alias ("opus"): agents.defaults.models maps "provider/model" to { alias }.
  const models = isObj(agents.defaults?.models) ? agents.defaults.models : {};
  const hit = Object.entries(models).find(([, m]) => isObj(m) && typeof m.alias === "string" && m.alias.trim().toLowerCase() === ref.toLowerCase());
  return hit?.[0];
}

/** The gateway's price of the report in USD (usage.cost.total), when it priced it above zero. */
function costOf(event) {
  for (const u of [event?.usage, event?.lastAssistant?.usage]) {
    const total = isObj(u?.cost) ? u.cost.total : undefined;
    if (typeof total === "number" && Number.isFinite(total) && total > 0) return total;
    // The summed usage is authoritative: a last-call price is not the run's price.
    if (u === event?.usage && isObj(u) && (u.input !== undefined || u.output !== undefined)) return undefined;
  }
  return undefined;
}

/** The next idempotency key of a run's report: "<runId>.llm", then "<runId>.llm.2", "…3" (≤ 200 chars). */
export function usageEventId(runId) {
  const base = clean(runId, 180);
  const n = (reportsPerRun.get(base) ?? 0) + 1;
  reportsPerRun.delete(base);
  reportsPerRun.set(base, n);
  if (reportsPerRun.size > MAX_RUNS) reportsPerRun.delete(reportsPerRun.keys().next().value);
  return n === 1 ? `${base}.llm` : `${base}.llm.${n}`;
}

/**
 * One usage record (contract 1) from an llm_output event and its hook context, or undefined when
 * the event carries no model call. `cfg` is the gateway's current config (for the agent's primary),
 * `agentName` Warden's name of the agent when the policy knows it, `randomId` makes a key for a
 * report without a run id.
 */
export function usageRecord(event, ctx, { cfg, agentId, agentName, now = new Date(), randomId }) {
  if (!isObj(event)) return undefined;
  let provider = clean(event.provider, 100);
  let model = clean(event.model, 200);
  const ref = clean(event.resolvedRef, 300);
  if ((!provider || !model) && ref.includes("/")) {
    provider ||= clean(ref.slice(0, ref.indexOf("/")), 100);
    model ||= clean(ref.slice(ref.indexOf("/") + 1), 200);
  }
  const u = isObj(event.usage) ? event.usage : isObj(event.lastAssistant?.usage) ? event.lastAssistant.usage : {};
  const counts = { tokensIn: tokens(u.input), tokensOut: tokens(u.output), cacheReadTokens: tokens(u.cacheRead), cacheWriteTokens: tokens(u.cacheWrite) };
  // An attempt that never reached a model (no model named, nothing counted) is not a model call, nor
  // is a failed attempt that consumed nothing: OpenClaw reports each retry of a failing primary
  // (stopReason "error", no usage) before it falls back; the fallback's own report says so.
  const counted = Object.values(counts).some((n) => n > 0);
  if (!counted && (!model || event.lastAssistant?.stopReason === "error")) return undefined;
  const runId = clean(event.runId, 200) || clean(ctx?.runId, 200);
  const sessionKey = clean(ctx?.sessionKey, 500);
  const primary = clean(configuredPrimary(cfg, agentId), 200);
  const answering = `${provider}/${model}`.toLowerCase();
  const cost = costOf(event);
  return {
    eventId: usageEventId(runId || `${randomId?.() ?? Date.now()}`),
    occurredAt: now.toISOString(),
    ...(agentId ? { agentId: clean(agentId, 200) } : {}),
    agentName: clean(agentName, 200) || clean(agentId, 200) || "unknown",
    ...(sessionKey ? { sessionKey } : {}),
    ...(runId ? { runId } : {}),
    provider: provider || "unknown",
    model: model || "unknown",
    ...counts,
    // Unknown when the config names no primary: absent, not false.
    ...(primary ? { primaryModel: primary, fallback: primary.toLowerCase() !== answering } : {}),
    ...(cost !== undefined ? { costUsd: cost } : {}),
  };
}

/** Whether OpenClaw lets this plugin register llm_output (non-bundled plugins need the opt-in). */
export function conversationAccessAllowed(cfg, pluginId) {
  const entry = cfg?.plugins?.entries?.[pluginId];
  return isObj(entry) && isObj(entry.hooks) && entry.hooks.allowConversationAccess === true;
}

// Logged once per process, whatever the number of registry instances.
const said = new Set();
const once = (key, fn) => {
  if (said.has(key)) return;
  said.add(key);
  fn();
};

/**
 * The usage reporter of one plugin instance: a durable spool under `<dir>/usage` (same retry and
 * backoff as events; a segment is deleted only after Warden's 202), and the llm_output handler.
 * A Warden without the usage endpoint (404) keeps everything spooled and is retried; it is logged
 * once, not at every retry. The handler never throws into the agent's run.
 */
export function createUsageReporter({ dir, client, logger, pluginId, cfgOf, agentNameOf, randomId }) {
  const spool = new Spool(path.join(dir, "usage"), {
    logger,
    what: "usage",
    quiet: (err) => err?.status === 404,
    send: async (calls) => {
      try {
        return (await client.postUsage(calls)).json;
      } catch (err) {
        if (err?.status === 404) once("usage-404", () => logger.warn("warden: this Warden does not accept model usage yet (404 on /api/v1/connector/usage); usage records stay spooled and are retried"));
        throw err;
      }
    },
  });
  const checkAccess = (cfg) => {
    if (!conversationAccessAllowed(cfg, pluginId))
      once("no-access", () => logger.warn(`warden: model usage is NOT reported: OpenClaw only gives non-bundled plugins the llm_output hook with plugins.entries.${pluginId}.hooks.allowConversationAccess: true in the gateway config`));
  };
  return {
    spool,
    checkAccess,
    /** llm_output: spool one record (synchronous append, so nothing is lost on a crash). */
    onLlmOutput(event, ctx, agentId) {
      try {
        const record = usageRecord(event, ctx, { cfg: cfgOf(), agentId, agentName: agentNameOf(agentId), randomId });
        if (record) spool.append(record);
      } catch (err) {
        logger.error(`warden: usage record not spooled (${err?.message ?? err})`);
      }
    },
  };
}
