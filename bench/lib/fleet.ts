/**
 * The synthetic fleet: gateways, agents and tools with realistic skew (a few hot tools, a few
 * busy agents, a few big gateways), all derived from one seed. The same seed and sizes give the
 * same names, ids, secrets, tool sets and traffic shape on every machine.
 */
import { mulberry32, shuffle, slotTable, weightedSampler, zipfWeights } from "./prng";

export type FleetOptions = { seed: number; gateways: number; agents: number; tools: number; days: number };
export type BenchGateway = { idx: number; id: string; name: string; environment: string; secret: string };
export type BenchTool = {
  idx: number;
  name: string;
  version: string;
  blockRate: number;
  egress: string | null;
  kind: "tool" | "skill" | "mcp_server" | "plugin";
  source: "builtin" | "clawhub" | "npm" | "vendor" | "internal";
};
export type BenchAgent = { idx: number; id: string; name: string; externalId: string; gatewayIdx: number; tools: number[]; toolWeights: number[] };
export type Fleet = {
  options: FleetOptions;
  gateways: BenchGateway[];
  agents: BenchAgent[];
  tools: BenchTool[];
  /** Agent activity (calls per agent) as a Zipf-like weight per agent index. */
  agentWeights: number[];
  /** 65,536 slots: slot → agent index, in proportion to agent activity (for SQL-side generation). */
  agentSlots: number[];
  /** 256 slots per agent: slot → tool index, in proportion to that agent's use of its tools. */
  toolSlots: number[][];
};

/** Built-in and popular tool names first (the hot head), then MCP tools (the long tail). */
const HOT_TOOLS = [
  "exec",
  "read",
  "web_fetch",
  "write",
  "web_search",
  "browser",
  "message",
  "edit",
  "memory_search",
  "process",
  "cron",
  "apply_patch",
  "sessions_send",
  "image",
  "canvas",
  "memory_get",
  "sessions_list",
  "nodes",
  "tts",
  "gateway",
];
const VENDORS = [
  "github",
  "jira",
  "slack",
  "linear",
  "notion",
  "gdrive",
  "postgres",
  "stripe",
  "sentry",
  "datadog",
  "pagerduty",
  "confluence",
  "salesforce",
  "zendesk",
  "hubspot",
  "aws",
  "gcp",
  "azure",
  "k8s",
  "vault",
];
const VERBS = ["search", "get", "list", "create", "update", "comment", "query", "run", "sync", "delete"];
const EGRESS: Record<string, string> = { web_fetch: "example.com", web_search: "api.search.example", browser: "www.example.org", message: "slack.com" };

export const AGENT_SLOTS = 65_536;
export const TOOL_SLOTS = 256;

function uuidFrom(rand: () => number): string {
  const b = Array.from({ length: 16 }, () => Math.floor(rand() * 256));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function secretFrom(rand: () => number): string {
  return "whsec_" + Buffer.from(Array.from({ length: 32 }, () => Math.floor(rand() * 256))).toString("base64");
}

function toolName(i: number): string {
  if (i < HOT_TOOLS.length) return HOT_TOOLS[i];
  const j = i - HOT_TOOLS.length;
  const base = `mcp.${VENDORS[j % VENDORS.length]}.${VERBS[Math.floor(j / VENDORS.length) % VERBS.length]}`;
  const round = Math.floor(j / (VENDORS.length * VERBS.length));
  return round ? `${base}_${round}` : base;
}

/** Build the fleet model for a seed and sizes (pure: no database). */
export function buildFleet(options: FleetOptions): Fleet {
  const rand = mulberry32(options.seed);
  const tools: BenchTool[] = Array.from({ length: options.tools }, (_, idx) => {
    const name = toolName(idx);
    const mcp = name.startsWith("mcp.");
    const blockRate = name === "exec" ? 0.08 : name === "browser" ? 0.04 : name.includes(".delete") ? 0.15 : 0.01;
    return {
      idx,
      name,
      version: `${1 + (idx % 3)}.${idx % 7}.0`,
      blockRate,
      egress: EGRESS[name] ?? (mcp ? `${name.split(".")[1]}.example.com` : null),
      kind: mcp ? "mcp_server" : idx % 9 === 4 ? "skill" : "tool",
      source: mcp ? "vendor" : "builtin",
    };
  });
  const gateways: BenchGateway[] = Array.from({ length: options.gateways }, (_, idx) => ({
    idx,
    id: uuidFrom(rand),
    name: `bench-gw-${String(idx).padStart(4, "0")}`,
    environment: idx % 10 < 6 ? "production" : idx % 10 < 9 ? "staging" : "development",
    secret: secretFrom(rand),
  }));
  // A few big gateways host many agents.
  const gatewayOrder = shuffle(
    gateways.map((g) => g.idx),
    rand,
  );
  const pickGateway = weightedSampler(zipfWeights(options.gateways, 0.9));
  const toolPopularity = zipfWeights(options.tools, 1.1);
  const agents: BenchAgent[] = Array.from({ length: options.agents }, (_, idx) => {
    // Every gateway gets at least one agent; the rest follow the skew.
    const gatewayIdx = idx < options.gateways ? idx : gatewayOrder[pickGateway(rand())];
    // 4–24 tools per agent, drawn by popularity without replacement (hot tools are in most sets).
    const k = Math.min(options.tools, 4 + Math.floor(rand() * rand() * 21));
    const chosen = new Set<number>();
    const pickTool = weightedSampler(toolPopularity);
    while (chosen.size < k) chosen.add(pickTool(rand()));
    const list = [...chosen].sort((a, b) => a - b);
    return {
      idx,
      id: uuidFrom(rand),
      name: `bench-agent-${String(idx).padStart(5, "0")}`,
      externalId: `agent-${idx}`,
      gatewayIdx,
      tools: list,
      toolWeights: list.map((t) => Math.pow(toolPopularity[t], 0.6) * (0.5 + rand())),
    };
  });
  // A few busy agents: activity is Zipf-like over a shuffled order.
  const activity = zipfWeights(options.agents, 0.9);
  const agentOrder = shuffle(
    agents.map((a) => a.idx),
    rand,
  );
  const agentWeights = new Array<number>(options.agents);
  agentOrder.forEach((agentIdx, rank) => (agentWeights[agentIdx] = activity[rank]));
  return {
    options,
    gateways,
    agents,
    tools,
    agentWeights,
    agentSlots: slotTable(agentWeights, AGENT_SLOTS),
    toolSlots: agents.map((a) => slotTable(a.toolWeights, TOOL_SLOTS).map((i) => a.tools[i])),
  };
}

/** Relative traffic of the hour `hoursBack` before `now`: a working-day curve and some growth. */
export function hourWeight(now: Date, hoursBack: number, days: number): number {
  const hourOfDay = (((now.getUTCHours() - hoursBack) % 24) + 24) % 24;
  const diurnal = 0.35 + 0.65 * (0.5 + 0.5 * Math.cos((2 * Math.PI * (hourOfDay - 14)) / 24));
  const growth = 1 + 0.5 * (1 - hoursBack / (days * 24));
  return diurnal * growth;
}

/** 65,536 slots: slot → hours before `now`, in proportion to hourWeight. */
export function hourSlots(now: Date, days: number): number[] {
  return slotTable(
    Array.from({ length: days * 24 }, (_, h) => hourWeight(now, h, days)),
    AGENT_SLOTS,
  );
}

export type BenchEvent = {
  eventId: string;
  occurredAt: string;
  agentId: string;
  agentName: string;
  sessionKey: string;
  toolName: string;
  toolVersion: string;
  params: Record<string, unknown>;
  result?: Record<string, unknown>;
  decision: "allowed" | "blocked";
  blockReason?: string;
  durationMs: number;
  error?: string;
  egressHosts?: string[];
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
};

/**
 * A generator of live events (what gateways send now), with the fleet's skew: `pickGateway()`
 * chooses a gateway in proportion to its agents' activity, `next(gatewayIdx)` one event of an
 * agent of that gateway. Events are recent (within the last minute).
 */
export function eventStream(fleet: Fleet, seed: number, prefix: string) {
  const rand = mulberry32(seed);
  const byGateway = fleet.gateways.map(() => [] as BenchAgent[]);
  for (const a of fleet.agents) byGateway[a.gatewayIdx].push(a);
  const agentPickers = byGateway.map((list) => weightedSampler(list.map((a) => fleet.agentWeights[a.idx])));
  const gatewayPicker = weightedSampler(byGateway.map((list) => list.reduce((s, a) => s + fleet.agentWeights[a.idx], 0)));
  const toolPickers = fleet.agents.map((a) => weightedSampler(a.toolWeights));
  let n = 0;
  const next = (gatewayIdx: number, now = Date.now()): BenchEvent => {
    const agent = byGateway[gatewayIdx][agentPickers[gatewayIdx](rand())];
    const tool = fleet.tools[agent.tools[toolPickers[agent.idx](rand())]];
    const blocked = rand() < tool.blockRate;
    const failed = !blocked && rand() < 0.01;
    const tokensIn = 50 + Math.floor(rand() * 2000);
    const tokensOut = 10 + Math.floor(rand() * 600);
    const event: BenchEvent = {
      // BENCH_CALL_EVENTS=1: ids as the OpenClaw plugin names a call's event ("<call>.decision"),
      // so ingestion takes its one-row-per-call merge path.
      eventId: `${prefix}-${n++}${process.env.BENCH_CALL_EVENTS === "1" ? ".decision" : ""}`,
      occurredAt: new Date(now - Math.floor(rand() * 60_000)).toISOString(),
      agentId: agent.externalId,
      agentName: agent.name,
      sessionKey: `agent:${agent.externalId}:s${Math.floor(rand() * 37)}`,
      toolName: tool.name,
      toolVersion: tool.version,
      params: tool.egress ? { url: `https://${tool.egress}/v1/items/${Math.floor(rand() * 100_000)}`, method: "GET" } : { path: `/srv/data/${Math.floor(rand() * 100_000)}.json`, limit: 100 },
      decision: blocked ? "blocked" : "allowed",
      durationMs: Math.floor(-Math.log(1 - rand()) * 180),
      tokensIn,
      tokensOut,
      costUsd: Math.round((tokensIn * 3 + tokensOut * 15) / 1000) / 1000,
    };
    if (blocked) event.blockReason = `${tool.name} is not in the allowlist of ${agent.name}`;
    else event.result = { ok: !failed, bytes: Math.floor(rand() * 65_536) };
    if (failed) event.error = "ETIMEDOUT: the upstream did not answer within 30 s";
    if (tool.egress && !blocked) event.egressHosts = [tool.egress];
    return event;
  };
  return { pickGateway: () => gatewayPicker(rand()), next, agentOf: (name: string) => fleet.agents[Number(name.slice("bench-agent-".length))] };
}
