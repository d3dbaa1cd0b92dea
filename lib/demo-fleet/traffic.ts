/**
 * What the demo fleet's agents do: which tools each agent calls and how often, with believable
 * parameters, results, durations, egress and token usage. One table for both the seeded week of
 * history (lib/seed/demo.ts) and the live simulated gateways (lib/demo-fleet/simulator.ts), so the
 * live trickle looks like the history and creates no finding the history did not already show.
 *
 * Decisions are never made here: the seed asks the real signed policy (the plugin's decide()), and
 * the simulator's gateways do the same with the policy they fetched.
 */

export type Rand = () => number;

/**
 * Per agent: its share of the fleet's calls and the tools it calls with their weights. A few
 * low-weight entries are tools the agent's allowlist does not cover (a prompt injection asking for a
 * shell, a skill that was rejected): the policy blocks those.
 */
export const DEMO_USAGE: Record<string, { weight: number; tools: [string, number][] }> = {
  "seo-research": {
    weight: 35,
    tools: [
      ["web_search", 50],
      ["web_fetch", 25],
      ["seo-keyword-scout", 15],
      ["read", 10],
      ["write", 1],
    ],
  },
  "content-publisher": {
    weight: 25,
    tools: [
      ["read", 30],
      ["write", 20],
      ["github-mcp", 20],
      ["slack-notify", 8],
      ["web_search", 1],
    ],
  },
  analytics: {
    weight: 15,
    tools: [
      ["postgres-mcp", 40],
      ["read", 30],
      ["exec", 12],
      ["web_search", 8],
      ["pdf-summarizer", 1],
    ],
  },
  "customer-support": {
    weight: 25,
    tools: [
      ["read", 40],
      ["web_search", 30],
      ["web_fetch", 15],
      ["exec", 0.6],
      ["pdf-summarizer", 0.6],
    ],
  },
};

/** The live trickle, calls per minute for the whole demo fleet (about one per agent per minute). */
export const LIVE_CALLS_PER_MINUTE = 3;
/**
 * Seeded calls for the week of history: as dense in working hours as the live trickle, so the
 * trickle is no "spike" (the findings job flags an agent whose last hour exceeds 5× its 7-day
 * hourly average) and today's numbers grow at the rate the week shows.
 */
export const SEED_CALL_COUNT = 20_000;

/** USD per million tokens (input, output). */
const PRICES: Record<string, [number, number]> = { "anthropic/claude-sonnet-4-5": [3, 15], "openai/gpt-4.1": [2, 8] };
const QUERIES = [
  "best project management tools 2026",
  "open source crm comparison",
  "how to reduce churn saas",
  "kubernetes cost optimisation",
  "return policy electronics eu",
  "track parcel delayed customs",
  "ai agent security checklist",
  "content calendar template",
];
const URLS = ["https://en.wikipedia.org/wiki/Search_engine_optimization", "https://help.acme.example/returns", "https://help.acme.example/shipping", "https://blog.competitor.example/pricing-update"];
const PATHS = ["briefs/q4-keywords.md", "drafts/agent-security-101.md", "kb/returns-policy.md", "kb/shipping-times.md", "reports/weekly-traffic.csv", "notes/todo.md"];
const EGRESS: Record<string, string[]> = {
  web_search: ["www.googleapis.com"],
  "seo-keyword-scout": ["www.googleapis.com"],
  "github-mcp": ["api.github.com"],
  "slack-notify": ["hooks.slack.com"],
  "postgres-mcp": ["analytics-replica.internal"],
};
const BASE_MS: Record<string, number> = {
  web_search: 900,
  web_fetch: 1400,
  read: 15,
  write: 25,
  exec: 2500,
  "seo-keyword-scout": 3200,
  "github-mcp": 700,
  "postgres-mcp": 450,
  "slack-notify": 300,
  "pdf-summarizer": 5,
};
/** github-mcp methods; opening a pull request is what the demo's approval rule holds for a person. */
export const GITHUB_METHODS = ["create_pull_request", "get_file_contents", "list_pull_requests", "get_file_contents"] as const;

export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
export function weighted<T>(rand: Rand, xs: readonly [T, number][]): T {
  let r = rand() * xs.reduce((s, [, w]) => s + w, 0);
  for (const [x, w] of xs) if ((r -= w) < 0) return x;
  return xs[xs.length - 1][0];
}

export type DemoCall = {
  agentName: string;
  toolName: string;
  params: Record<string, unknown>;
  sessionKey: string;
  /** Who is behind the call and the chain it came through. */
  ask: DemoAsk;
};

const MEAN_TOKENS_IN = 300 + 3500 / 2;
const MEAN_TOKENS_OUT = 40 + 700 / 2;

/**
 * What an agent spends in a day at `callsPerMinute` for the fleet (its share of the calls, all
 * assumed allowed): what the seeded budgets are sized from, so the live demo never trips them.
 */
export function expectedDailyUsd(agentName: string, model: string, callsPerMinute = LIVE_CALLS_PER_MINUTE): number {
  const u = DEMO_USAGE[agentName];
  if (!u) return 0;
  const share = u.weight / Object.values(DEMO_USAGE).reduce((n, x) => n + x.weight, 0);
  const [pIn, pOut] = PRICES[model] ?? [3, 15];
  return callsPerMinute * 1440 * share * ((MEAN_TOKENS_IN * pIn + MEAN_TOKENS_OUT * pOut) / 1_000_000);
}

/** The parameters an agent passes to a tool. */
export function paramsFor(rand: Rand, tool: string, agent: string): Record<string, unknown> {
  switch (tool) {
    case "web_search":
      return { query: pick(rand, QUERIES) };
    case "web_fetch":
      return { url: pick(rand, URLS) };
    case "read":
      return { path: pick(rand, PATHS) };
    case "write":
      return { path: pick(rand, PATHS), content: "…" };
    case "exec":
      return agent === "analytics" ? { command: "python scripts/backfill_dashboards.py --week 47" } : { command: "env | sort" };
    case "seo-keyword-scout":
      return { seed: pick(rand, QUERIES), locale: "en-US", limit: 50 };
    case "github-mcp":
      return { method: pick(rand, GITHUB_METHODS), repo: "acme/website" };
    case "postgres-mcp":
      return { sql: "select date_trunc('day', ts) as day, count(*) from pageviews where ts > now() - interval '7 days' group by 1" };
    case "slack-notify":
      return { channel: "#content", text: "PR ready for review: agent-security-101" };
    default:
      return { path: "inbox/customer-attachment.pdf" };
  }
}

/** One call an agent makes (which agent, tool and parameters), from the usage table. */
export function nextCall(rand: Rand, agents: { name: string; channels: string[] }[]): DemoCall | null {
  const known = agents.filter((a) => DEMO_USAGE[a.name]);
  if (!known.length) return null;
  const agent = weighted(
    rand,
    known.map((a) => [a, DEMO_USAGE[a.name].weight] as [typeof a, number]),
  );
  const ask = askFor(rand, agent.name);
  const toolName = weighted(rand, ask.tools ?? DEMO_USAGE[agent.name].tools);
  return {
    agentName: agent.name,
    toolName,
    params: paramsFor(rand, toolName, agent.name),
    sessionKey: sessionKeyFor(rand, agent.name, agent.channels, ask),
    ask,
  };
}

/** What an allowed call returned, how long it took, where it went and what the model used. */
export function outcomeOf(rand: Rand, call: { toolName: string; params: Record<string, unknown> }, model: string) {
  const t = call.toolName;
  const url = typeof call.params.url === "string" ? call.params.url : null;
  const result: Record<string, unknown> =
    t === "web_search"
      ? { results: 8 + Math.floor(rand() * 3), top: pick(rand, URLS) }
      : t === "web_fetch"
        ? { status: 200, bytes: 8_000 + Math.floor(rand() * 40_000), title: url ? new URL(url).pathname.split("/").pop() : "page" }
        : t === "read"
          ? { bytes: 400 + Math.floor(rand() * 9_000), lines: 10 + Math.floor(rand() * 200) }
          : t === "write"
            ? { bytesWritten: 300 + Math.floor(rand() * 5_000) }
            : t === "exec"
              ? { exitCode: 0, stdout: "backfilled 7 days of dashboards (1,204 rows)" }
              : t === "seo-keyword-scout"
                ? { clusters: 4 + Math.floor(rand() * 6), keywords: 50 }
                : t === "github-mcp"
                  ? call.params.method === "create_pull_request"
                    ? { number: 400 + Math.floor(rand() * 200), state: "open" }
                    : { ok: true }
                  : t === "postgres-mcp"
                    ? { rows: 7, columns: ["day", "count"] }
                    : t === "slack-notify"
                      ? { ok: true }
                      : { ok: true };
  const [pIn, pOut] = PRICES[model] ?? [3, 15];
  const tokensIn = 300 + Math.floor(rand() * 3500);
  const tokensOut = 40 + Math.floor(rand() * 700);
  return {
    result,
    durationMs: Math.round((BASE_MS[t] ?? 200) * (0.5 + rand() * 1.5)),
    egressHosts: t === "web_fetch" && url ? [new URL(url).host] : (EGRESS[t] ?? []),
    tokensIn,
    tokensOut,
    costUsd: Number(((tokensIn * pIn + tokensOut * pOut) / 1_000_000).toFixed(6)),
  };
}

// ───────────────────────────── who asks ─────────────────────────────
// The people behind the demo fleet's calls: one table for the seed (directory entries, groups,
// rules) and the live simulated gateways (the requester each call carries), so a live call's
// requester is always one the directory knows (or, rarely, one it deliberately does not).

/** How a sender appears to a gateway (OpenClaw ctx.requester). Made-up ids on real channel names. */
export type DemoSender = { channel: string; accountId?: string; senderId: string };
export type DemoPerson = {
  /** Short handle used by the tables below. */
  handle: string;
  name: string;
  email: string;
  /** The team this directory entry belongs to (null: fleet-wide, like the security lead). */
  team: string | null;
  groups: string[];
  senders: DemoSender[];
  /** The console user this person is (an email the seed creates). */
  user?: string;
};

export const DEMO_PEOPLE: DemoPerson[] = [
  { handle: "maya", name: "Maya Chen", email: "maya.chen@acme.example", team: "Growth", groups: [], senders: [{ channel: "slack", accountId: "acme", senderId: "U04MAYA7Q2" }] },
  {
    handle: "jonas",
    name: "Jonas Berg",
    email: "jonas.berg@acme.example",
    team: "Content",
    groups: ["content-editors"],
    senders: [
      { channel: "slack", accountId: "acme", senderId: "U02JONAS8K" },
      { channel: "telegram", accountId: "acme-content-bot", senderId: "482913377" },
    ],
    user: "jonas.berg@warden.demo",
  },
  { handle: "aisha", name: "Aisha Khan", email: "aisha.khan@acme.example", team: "Content", groups: ["content-editors"], senders: [{ channel: "slack", accountId: "acme", senderId: "U05AISHA3M" }] },
  { handle: "priya", name: "Priya Nair", email: "priya.nair@acme.example", team: "Data", groups: ["finance"], senders: [{ channel: "slack", accountId: "acme", senderId: "U01PRIYA9D" }] },
  {
    handle: "tom",
    name: "Tom Weber",
    email: "tom.weber@acme.example",
    team: null,
    groups: ["finance"],
    senders: [
      { channel: "slack", accountId: "acme", senderId: "U03TOMW4F1" },
      { channel: "telegram", accountId: "acme-data-bot", senderId: "590120044" },
    ],
  },
  { handle: "dana", name: "Dana Ortiz", email: "dana.ortiz@acme.example", team: "Support", groups: [], senders: [{ channel: "slack", accountId: "acme", senderId: "U06DANA2XR" }] },
  { handle: "sam", name: "Sam Lee", email: "sam.lee@acme.example", team: null, groups: [], senders: [{ channel: "slack", accountId: "acme", senderId: "U01SAMLEE5" }], user: "sam.lee@warden.demo" },
];

export const DEMO_GROUPS: { name: string; team: string | null; description: string }[] = [
  { name: "content-editors", team: "Content", description: "Editors who may have content-publisher open pull requests on acme/website." },
  { name: "finance", team: null, description: "Revenue reporting: may query the analytics replica through the analytics agent." },
];

/**
 * Per-person policy of the demo (docs/identity.md walks through it). `agent` is the gateway agent id;
 * `group`/`person` name a DEMO_GROUPS entry or a DEMO_PEOPLE handle.
 */
export const DEMO_IDENTITY_RULES: {
  subject: "person" | "group" | "unidentified" | "anyone";
  group?: string;
  person?: string;
  agent?: string;
  tool?: string;
  effect: "allow" | "deny" | "require_approval";
  reason: string;
}[] = [
  { subject: "anyone", agent: "content-publisher", tool: "github-mcp", effect: "deny", reason: "Only content editors may have content-publisher work on the website repository" },
  { subject: "group", group: "content-editors", agent: "content-publisher", tool: "github-mcp", effect: "allow", reason: "Content editors open and review pull requests on acme/website" },
  { subject: "unidentified", agent: "customer-support", effect: "deny", reason: "The customer-facing agent acts only for a chat with a known sender" },
  { subject: "anyone", agent: "analytics", tool: "postgres-mcp", effect: "deny", reason: "Revenue data on the analytics replica is for the finance group" },
  { subject: "group", group: "finance", agent: "analytics", tool: "postgres-mcp", effect: "allow", reason: "Finance reporting from the analytics replica" },
  { subject: "unidentified", agent: "analytics", tool: "postgres-mcp", effect: "allow", reason: "The weekly traffic report runs on a schedule, without a person" },
];

/** The demo's rate limit: per person (or unmapped sender), across every agent and sub-agent. */
export const DEMO_RATE_LIMIT = { subject: "anyone" as const, perMinute: 30, shared: false, reason: "At most 30 tool calls a minute for any one person, across every agent and sub-agent" };

/**
 * Who makes each agent act, with weights: a person through one of their senders, a sender the
 * directory does not know, or nobody (a scheduled run). `via`: the delegation, when the person
 * asked another agent that handed the task over ("sub": the agent's own sub-agent).
 */
type Asker = { person: string; sender?: number; via?: "seo-research" | "sub" } | { unmapped: DemoSender } | { none: string };
const VISITORS = ["wc_7f3a91", "wc_b20c44", "wc_e91d07", "wc_4c6f18", "wc_0d8b52"];
export const DEMO_ASKERS: Record<string, [Asker, number][]> = {
  "seo-research": [
    [{ person: "maya" }, 55],
    [{ person: "aisha" }, 15],
    [{ person: "jonas" }, 10],
    // A contractor who joined the Slack workspace but is not in the directory yet.
    [{ unmapped: { channel: "slack", accountId: "acme", senderId: "U07LENA5PZ" } }, 3],
    [{ none: "keyword refresh" }, 10],
  ],
  "content-publisher": [
    [{ person: "jonas" }, 35],
    [{ person: "jonas", sender: 1 }, 5],
    [{ person: "aisha" }, 25],
    [{ person: "maya" }, 5],
    // Briefs handed over by seo-research: the sub-agent holds no more than both agents (and the person).
    [{ person: "maya", via: "seo-research" }, 8],
    [{ person: "aisha", via: "seo-research" }, 4],
    [{ none: "newsletter" }, 12],
  ],
  analytics: [
    [{ person: "priya" }, 30],
    [{ person: "priya", via: "sub" }, 15],
    [{ person: "tom" }, 15],
    [{ person: "tom", sender: 1 }, 5],
    [{ person: "sam" }, 8],
    [{ none: "weekly report" }, 20],
  ],
  "customer-support": [...VISITORS.map((v): [Asker, number] => [{ unmapped: { channel: "webchat", senderId: v } }, 14]), [{ person: "dana" }, 25], [{ none: "heartbeat" }, 1]],
};

/** The tools a delegated call uses: what seo-research hands over (a read of the brief, now and then a write the parent does not hold). */
const DELEGATED_TOOLS: [string, number][] = [
  ["read", 85],
  ["write", 15],
];

export type DemoAsk = {
  /** OpenClaw's ctx.requester as the plugin reports it (for a delegated call: the originating person's). */
  requester?: { channel: string; accountId?: string; senderId: string };
  /** Handle of the directory person behind it, when there is one. */
  person?: string;
  /** Gateway agent ids from the first agent to the calling agent ([] for a direct call). */
  chain: string[];
  tier: "interactive" | "subagent";
  /** The tool table for this call when the delegation changes it. */
  tools?: [string, number][];
  /** What a run without a person is (cron, heartbeat), for its session key. */
  job?: string;
};

/** Who is behind one call of `agentName` (and the chain it came through). */
export function askFor(rand: Rand, agentName: string): DemoAsk {
  const table = DEMO_ASKERS[agentName];
  if (!table) return { chain: [], tier: "interactive" };
  const a = weighted(rand, table);
  if ("none" in a) return { chain: [], tier: "interactive", job: a.none };
  if ("unmapped" in a) return { requester: { ...a.unmapped }, chain: [], tier: "interactive" };
  const p = DEMO_PEOPLE.find((x) => x.handle === a.person)!;
  const requester = { ...p.senders[a.sender ?? 0] };
  if (a.via === "sub") return { requester, person: p.handle, chain: [agentName, agentName], tier: "subagent" };
  if (a.via) return { requester, person: p.handle, chain: [a.via, agentName], tier: "subagent", tools: DELEGATED_TOOLS };
  return { requester, person: p.handle, chain: [], tier: "interactive" };
}

/** The session key of a call: a sub-agent session for a delegated call, a cron session for a scheduled one. */
export function sessionKeyFor(rand: Rand, agentName: string, channels: string[], ask: DemoAsk): string {
  const n = 1 + Math.floor(rand() * 40);
  if (ask.chain.length) return `agent:${agentName}:subagent:s${n}`;
  if (ask.job) return `agent:${agentName}:cron:${ask.job.replace(/\s+/g, "-")}`;
  return `agent:${agentName}:${ask.requester?.channel ?? pick(rand, channels.length ? channels : ["main"])}:s${n}`;
}
