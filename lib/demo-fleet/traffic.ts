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
  const toolName = weighted(rand, DEMO_USAGE[agent.name].tools);
  return {
    agentName: agent.name,
    toolName,
    params: paramsFor(rand, toolName, agent.name),
    sessionKey: `agent:${agent.name}:${pick(rand, agent.channels.length ? agent.channels : ["main"])}:s${1 + Math.floor(rand() * 40)}`,
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
