/**
 * Simulated OpenClaw gateways for the live demo fleet. Each speaks the real connector protocol
 * (docs/connector-protocol.md) over HTTP to a Warden server, signed with its gateway's own secret,
 * through the OpenClaw plugin's own code (connectors/openclaw/lib): its HTTP client, policy
 * verification, decide(), approval rules and containment state. So what the demo shows is what a
 * real gateway would do:
 * - it pins Warden's public key, fetches the signed policy, verifies it, and refetches it on a
 *   policy_refresh command, after each containment command and every minute (ETag);
 * - a steady trickle of tool calls for its agents (lib/demo-fleet/traffic.ts), each decided by
 *   decide() against the verified policy and the local containment, reported as one event per call;
 * - containment commands are applied to the local state (containment.js plan()) and acknowledged
 *   on the next long-poll, so a kill switch is applied within about a second and released cleanly;
 * - a call an approval rule holds is reported (POST /connector/approvals) and waits for the
 *   person's decision (an approval_decision command) or its timeout, then its outcome is reported;
 * - each call carries who asked (a directory person's sender, now and then a sender the directory
 *   does not know, or nobody for a scheduled run) and, for a delegated call, its chain of agents and
 *   tier "subagent"; it must be allowed for every agent of the chain (scope narrowing) and by the
 *   policy's per-person rules and rate limits (the `identity` section, ./identity.ts);
 * - the inventory (what the policy allows, the agents' configuration) is pushed at start and now and then.
 * Nothing here touches the database: that is the point.
 */
import { createHash, randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { createWardenClient } from "@/connectors/openclaw/lib/warden.js";
import { canonicalJson, verifySignedPolicy } from "@/connectors/openclaw/lib/crypto.js";
import { decide, type DecidePolicy } from "@/connectors/openclaw/lib/decide.js";
import { needsApproval, type ApprovalPolicy } from "@/connectors/openclaw/lib/approval-rules.js";
import { emptyState, plan, summary, type Command, type ContainmentState } from "@/connectors/openclaw/lib/containment.js";
import { normalizeRequester } from "@/connectors/openclaw/lib/requester.js";
import { DEMO_USAGE, nextCall, outcomeOf, type Rand } from "./traffic";
import { RateWindow, identityDecision, type IdentitySection } from "./identity";

export type SimAgent = { externalId: string; name: string; model: string | null; fallbackModels: string[]; channels: string[]; posture: Record<string, unknown> };
/** `secret` is the gateway's signing secret: kept in memory, never logged. */
export type SimGatewaySpec = { id: string; name: string; secret: string; agents: SimAgent[] };

export type SimOptions = {
  /** Calls per minute for the whole fleet given to startDemoFleet (shared by the agents' weights). */
  callsPerMinute: number;
  /** The command long-poll (s). */
  waitSeconds?: number;
  policyEveryMs?: number;
  inventoryEveryMs?: number;
  openclawVersion?: string;
  rand?: Rand;
  log?: (message: string) => void;
};

export type SimStats = {
  gateway: string;
  calls: number;
  allowed: number;
  blocked: number;
  held: number;
  acks: number;
  inventories: number;
  policyVersion: string | null;
  errors: number;
  lastError: string | null;
};

type Policy = DecidePolicy &
  ApprovalPolicy & {
    version: string;
    expiresAt: string;
    gatewayId?: string;
    identity?: IdentitySection;
    agents: (DecidePolicy["agents"][number] & { tools: { name: string; kind?: string; versions?: { version: string; contentHash: string }[] }[] })[];
  };
type WireCommand = Command & { id: string; type?: string; target: string; options?: Record<string, unknown> };
/** Who asked, as the plugin reports it with each event and held approval. */
type Who = { requester?: ReturnType<typeof normalizeRequester>; chain: string[]; tier: "interactive" | "subagent" };
type Held = {
  approvalId: string;
  agent: SimAgent;
  call: { toolName: string; params: Record<string, unknown>; sessionKey: string; toolVersion?: string; toolHash?: string; who: Who };
  callId: string;
  startedAt: number;
  expiresAt: number;
  paramsHash: string;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** The who-asked fields of an event or a held approval (docs/connector-protocol.md): absent when unknown. */
const whoFields = (who: Who) => ({ ...(who.requester ? { requester: who.requester } : {}), ...(who.chain.length ? { chain: who.chain } : {}), tier: who.tier });

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").slice(0, 300);

/** The whole demo fleet: one simulated gateway per spec, sharing `callsPerMinute` by the agents' weights. */
export function startDemoFleet(baseUrl: string, specs: SimGatewaySpec[], opts: SimOptions) {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const weightOf = (s: SimGatewaySpec) => s.agents.reduce((n, a) => n + (DEMO_USAGE[a.name]?.weight ?? 0), 0);
  const total = specs.reduce((n, s) => n + weightOf(s), 0) || 1;
  const gateways = specs.map((s) => simulateGateway(baseUrl, s, { ...opts, callsPerMinute: (opts.callsPerMinute * weightOf(s)) / total }, controller.signal));
  return {
    stats: () => gateways.map((g) => ({ ...g.stats })),
    /** Resolves once every gateway verified a policy and has a command poll open (or after `timeoutMs`). */
    ready: (timeoutMs = 15_000) => Promise.all(gateways.map((g) => g.ready(timeoutMs))),
    async stop() {
      controller.abort();
      await Promise.allSettled(gateways.map((g) => g.done));
    },
  };
}

/** One simulated gateway until `signal` aborts. */
export function simulateGateway(baseUrl: string, spec: SimGatewaySpec, opts: SimOptions, signal: AbortSignal) {
  const rand = opts.rand ?? Math.random;
  const log = opts.log ?? (() => {});
  const stats: SimStats = { gateway: spec.name, calls: 0, allowed: 0, blocked: 0, held: 0, acks: 0, inventories: 0, policyVersion: null, errors: 0, lastError: null };
  let key: { publicKeyPem: string; keyId: string } | null = null;
  let policy: Policy | null = null;
  let etag: string | undefined;
  let local: ContainmentState = emptyState();
  const grants: { agentId: string; tool: string; until: string }[] = [];
  const held = new Map<string, Held>();
  const rates = new RateWindow();
  let polling = false;
  let lastLogged = 0;

  const client = createWardenClient({
    wardenUrl: baseUrl,
    gatewayId: spec.id,
    signingSecret: spec.secret,
    policyInfo: () => (policy ? { version: policy.version, expiresAt: policy.expiresAt } : null),
  });

  const failed = (what: string, err: unknown) => {
    if (signal.aborted) return;
    stats.errors++;
    stats.lastError = `${what}: ${messageOf(err)}`;
    // At most one line a minute per gateway: a stopped server must not flood the log.
    if (Date.now() - lastLogged > 60_000) {
      lastLogged = Date.now();
      log(`demo gateway ${spec.name}: ${stats.lastError}`);
    }
  };

  async function refreshPolicy(force = false): Promise<void> {
    if (!key) {
      const k = (await client.getPublicKey()) as { publicKeyPem?: string; keyId?: string; algorithm?: string };
      if (!k?.publicKeyPem || !k.keyId || k.algorithm !== "Ed25519") throw new Error("unexpected public-key answer");
      key = { publicKeyPem: k.publicKeyPem, keyId: k.keyId };
    }
    const res = await client.getPolicy(force ? undefined : etag, { signal });
    if (res.status === 304) return;
    const v = verifySignedPolicy(res.json, key.publicKeyPem, key.keyId);
    if (!v.ok) throw new Error(`policy rejected: ${v.reason}`);
    const next = (res.json as { policy: Policy }).policy;
    if (next.gatewayId && next.gatewayId !== spec.id) throw new Error("policy rejected: it is for another gateway");
    policy = next;
    etag = res.headers.get("etag") ?? undefined;
    stats.policyVersion = policy.version;
  }

  const agentOf = (ref: unknown) => spec.agents.find((a) => a.externalId === ref || a.name === ref);
  const pinOf = (agent: SimAgent, toolName: string) => {
    const v = policy?.agents.find((a) => a.id === agent.externalId)?.tools.find((t) => t.name === toolName)?.versions?.[0];
    return v ? { toolVersion: v.version, toolHash: v.contentHash } : {};
  };

  async function report(event: Record<string, unknown>): Promise<void> {
    try {
      await client.postEvents([event]);
    } catch (err) {
      failed("reporting a call", err);
    }
  }

  /** One event per call: its decision with its result (docs: "One call, one row"). */
  function eventOf(agent: SimAgent, call: Held["call"], callId: string, startedAt: number, allowed: boolean, reason?: string) {
    const out = allowed ? outcomeOf(rand, call, agent.model ?? "") : null;
    return {
      eventId: `${callId}.decision`,
      occurredAt: new Date(startedAt).toISOString(),
      agentId: agent.externalId,
      agentName: agent.name,
      sessionKey: call.sessionKey,
      toolName: call.toolName,
      ...(call.toolVersion ? { toolVersion: call.toolVersion } : {}),
      ...(call.toolHash ? { toolHash: call.toolHash } : {}),
      params: call.params,
      ...whoFields(call.who),
      decision: allowed ? "allowed" : "blocked",
      ...(allowed ? {} : { blockReason: reason ?? "Warden: blocked" }),
      ...(out
        ? { result: out.result, durationMs: out.durationMs, egressHosts: out.egressHosts, tokensIn: out.tokensIn, tokensOut: out.tokensOut, costUsd: out.costUsd }
        : { durationMs: 1 + Math.floor(rand() * 3), egressHosts: [] }),
    };
  }

  async function makeCall(): Promise<void> {
    const c = nextCall(rand, spec.agents);
    if (!c) return;
    const agent = agentOf(c.agentName)!;
    // A chain only through agents of this gateway (a sub-agent runs where its parent does).
    const chain = c.ask.chain.map((n) => agentOf(n)?.externalId);
    const who: Who =
      chain.length && chain.every(Boolean)
        ? { requester: normalizeRequester(c.ask.requester), chain: chain as string[], tier: "subagent" }
        : { requester: normalizeRequester(c.ask.requester), chain: [], tier: "interactive" };
    const call = { toolName: c.toolName, params: c.params, sessionKey: c.sessionKey, who, ...pinOf(agent, c.toolName) };
    const callId = `demo_${randomUUID()}`;
    const now = Date.now();
    // Scope narrowing: the allowlist of every agent of the chain must allow the tool.
    const d =
      (who.chain.length ? who.chain : [agent.externalId]).map((a) => decide(policy, local, { ...call, agentId: a }, now)).find((x) => !x.allow) ??
      decide(policy, local, { agentId: agent.externalId, ...call }, now);
    stats.calls++;
    if (d.allow) {
      // Then the person behind it: per-person rules and rate limits of the policy's identity section.
      const id = identityDecision(policy?.identity, { agentId: agent.externalId, toolName: call.toolName, requester: who.requester, chain: who.chain, tier: who.tier }, rates, now);
      if (!id.allow && id.code === "identity_approval") return hold(agent, call, callId, now, { ruleId: id.ruleId, reason: id.reason, timeoutMs: id.timeoutMs });
      if (!id.allow) {
        stats.blocked++;
        await report(eventOf(agent, call, callId, now, false, id.reason));
        return;
      }
      const need = needsApproval(policy, { ...local, approvalGrants: grants }, { agentId: agent.externalId, toolName: call.toolName, params: call.params }, now);
      if (need) return hold(agent, call, callId, now, need);
      rates.add(id.counted, now);
      stats.allowed++;
      // The call runs, then is reported with its result.
      await report({ ...eventOf(agent, call, callId, now, true) });
      return;
    }
    stats.blocked++;
    await report(eventOf(agent, call, callId, now, false, d.reason));
  }

  async function hold(agent: SimAgent, call: Held["call"], callId: string, startedAt: number, need: { ruleId: string; reason: string; timeoutMs: number }) {
    const paramsHash = createHash("sha256").update(canonicalJson(call.params)).digest("hex");
    const timeoutMs = Math.min(need.timeoutMs, 600_000); // OpenClaw's own cap on a plugin approval
    try {
      const res = await client.postApproval({
        requestId: randomUUID(),
        toolCallId: callId,
        agentId: agent.externalId,
        sessionKey: call.sessionKey,
        toolName: call.toolName,
        ...(call.toolVersion ? { toolVersion: call.toolVersion } : {}),
        params: call.params,
        paramsHash,
        ruleId: need.ruleId,
        reason: need.reason,
        timeoutMs,
        ...whoFields(call.who),
      });
      const id = (res.json as { data?: { id?: string } })?.data?.id;
      if (!id) throw new Error("no approval id in the answer");
      stats.held++;
      held.set(id, { approvalId: id, agent, call, callId, startedAt, expiresAt: startedAt + timeoutMs, paramsHash });
    } catch (err) {
      // Fail closed, as the plugin does.
      failed("holding a call for approval", err);
      stats.blocked++;
      await report(eventOf(agent, call, callId, startedAt, false, `Warden: the call needs approval and the request failed (${messageOf(err)}); blocked (fail closed)`));
    }
  }

  /** Settle a held call: report its event and its outcome. */
  async function settle(h: Held, outcome: "ran" | "denied" | "timed_out", detail: string) {
    held.delete(h.approvalId);
    const ran = outcome === "ran";
    if (ran) stats.allowed++;
    else stats.blocked++;
    await report({
      ...eventOf(h.agent, h.call, h.callId, h.startedAt, ran, outcome === "timed_out" ? "Warden: no decision in time; the call was denied" : `Warden: ${detail}`),
      approvalId: h.approvalId,
    });
    try {
      await client.postApprovalResolution(h.approvalId, { outcome, waitedMs: Math.max(0, Date.now() - h.startedAt), detail });
    } catch (err) {
      failed("reporting an approval's outcome", err);
    }
  }

  /** Apply one command; the ack's outcome and detail. */
  async function apply(cmd: WireCommand): Promise<{ outcome: "applied" | "failed"; detail: string }> {
    if (cmd.type === "policy_refresh") {
      await refreshPolicy(true);
      return { outcome: "applied", detail: `policy ${policy?.version ?? "none"} verified` };
    }
    if (cmd.type === "approval_decision") {
      const o = cmd.options ?? {};
      const h = held.get(cmd.target);
      const allow = o.decision === "allow";
      if (!h) return allow ? { outcome: "failed", detail: "the call no longer waits at the gateway" } : { outcome: "applied", detail: "the call no longer waits at the gateway" };
      if (o.paramsHash !== h.paramsHash) {
        await settle(h, "denied", "params hash mismatch");
        return { outcome: "failed", detail: "params hash mismatch: the call was denied" };
      }
      const by = typeof o.decidedBy === "string" ? o.decidedBy : "a person";
      if (allow && typeof o.grantUntil === "string") grants.push({ agentId: h.agent.externalId, tool: h.call.toolName, until: o.grantUntil });
      await settle(h, allow ? "ran" : "denied", `${allow ? "approved" : "denied"} by ${by}`);
      return { outcome: "applied", detail: allow ? "the call ran" : "the call was denied" };
    }
    try {
      const p = plan(local, cmd);
      local = p.next;
    } catch (err) {
      return { outcome: "failed", detail: messageOf(err) };
    }
    // The policy names active containment too: take the new one at once (a release lifts it there as well).
    await refreshPolicy(true).catch((err) => failed("refreshing the policy", err));
    return { outcome: "applied", detail: `demo gateway: ${summary(local)}` };
  }

  async function commandLoop(): Promise<void> {
    let acks: { id: string; outcome: string; detail: string }[] = [];
    let backoff = 500;
    while (!signal.aborted) {
      try {
        polling = true;
        const res = await client.pollCommands(opts.waitSeconds ?? 25, signal, acks);
        polling = false;
        stats.acks += acks.length;
        acks = [];
        backoff = 500;
        for (const cmd of (res.json as { commands?: WireCommand[] })?.commands ?? []) {
          const r = await apply(cmd).catch((err) => ({ outcome: "failed" as const, detail: messageOf(err) }));
          acks.push({ id: cmd.id, ...r });
        }
      } catch (err) {
        polling = false;
        failed("polling commands", err);
        await sleep(backoff * (0.5 + rand()), signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  async function trafficLoop(): Promise<void> {
    const meanMs = opts.callsPerMinute > 0 ? 60_000 / opts.callsPerMinute : Infinity;
    while (!signal.aborted && Number.isFinite(meanMs)) {
      // Exponential gaps: calls arrive as a Poisson stream, not on a metronome.
      await sleep(Math.min(-Math.log(1 - rand()) * meanMs, meanMs * 6), signal);
      if (signal.aborted) break;
      for (const h of [...held.values()]) if (Date.now() >= h.expiresAt) await settle(h, "timed_out", "no decision in time");
      await makeCall().catch((err) => failed("making a call", err));
    }
  }

  async function policyLoop(): Promise<void> {
    while (!signal.aborted) {
      await sleep(opts.policyEveryMs ?? 60_000, signal);
      if (!signal.aborted) await refreshPolicy().catch((err) => failed("refreshing the policy", err));
    }
  }

  async function inventoryLoop(): Promise<void> {
    const every = opts.inventoryEveryMs ?? 15 * 60_000;
    while (!signal.aborted) {
      try {
        await client.postInventory(inventoryOf(spec, policy, opts.openclawVersion ?? "2026.11.1"));
        stats.inventories++;
      } catch (err) {
        failed("pushing the inventory", err);
      }
      await sleep(every * (0.75 + rand() / 2), signal);
    }
  }

  const done = (async () => {
    // The policy first: without one every call would be blocked (fail closed).
    let backoff = 500;
    while (!signal.aborted && !policy) {
      await refreshPolicy(true).catch(async (err) => {
        failed("fetching the policy", err);
        await sleep(backoff * (0.5 + rand()), signal);
        backoff = Math.min(backoff * 2, 10_000);
      });
    }
    if (signal.aborted) return;
    await Promise.all([commandLoop(), trafficLoop(), policyLoop(), inventoryLoop()]);
  })();

  return {
    stats,
    done,
    async ready(timeoutMs: number) {
      const end = Date.now() + timeoutMs;
      while (!(policy && polling) && Date.now() < end && !signal.aborted) await sleep(50, signal);
      return Boolean(policy && polling);
    },
  };
}

/** The inventory a gateway running this policy's tools would report. */
export function inventoryOf(spec: SimGatewaySpec, policy: Policy | null, openclawVersion: string) {
  type Item = { name: string; version?: string; hash?: string; agents: string[]; kind: string };
  const items = new Map<string, Item>();
  for (const a of policy?.agents ?? []) {
    for (const t of a.tools) {
      const v = t.versions?.[0];
      const item = items.get(t.name) ?? { name: t.name, kind: t.kind ?? "tool", agents: [], ...(v ? { version: v.version, hash: v.contentHash } : {}) };
      item.agents.push(a.id);
      items.set(t.name, item);
    }
  }
  const of = (kind: string) => [...items.values()].filter((i) => i.kind === kind);
  const fields = (i: Item) => ({ name: i.name, ...(i.version ? { version: i.version } : {}), ...(i.hash ? { hash: i.hash } : {}), enabled: true, agents: i.agents });
  const channels = [...new Set(spec.agents.flatMap((a) => a.channels))];
  return {
    openclaw: { version: openclawVersion },
    agents: spec.agents.map((a) => ({
      id: a.externalId,
      name: a.name,
      ...(a.model ? { model: a.model } : {}),
      fallbackModels: a.fallbackModels,
      channels: a.channels,
      tools: policy?.agents.find((p) => p.id === a.externalId)?.tools.map((t) => t.name) ?? [],
      ...(typeof a.posture.execMode === "string" ? { execMode: a.posture.execMode } : {}),
      ...(typeof a.posture.canDelegate === "boolean" ? { canDelegate: a.posture.canDelegate } : {}),
      ...(typeof a.posture.fsWorkspaceOnly === "boolean" ? { workspaceOnly: a.posture.fsWorkspaceOnly } : {}),
    })),
    tools: of("tool").map((i) => ({ ...fields(i), kind: "tool", source: "builtin" })),
    skills: of("skill").map((i) => ({ ...fields(i), source: "clawhub" })),
    plugins: of("plugin").map((i) => ({ ...fields(i), source: "npm" })),
    mcpServers: of("mcp_server").map((i) => ({ name: i.name, transport: "stdio", command: "npx", args: [i.name], enabled: true, ...(i.hash ? { hash: i.hash } : {}) })),
    channels: channels.map((id) => ({ id, enabled: true, connected: true })),
    config: { bind: "loopback", demo: true },
  };
}
