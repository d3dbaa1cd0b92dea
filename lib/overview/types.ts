/**
 * The overview dashboard's data: plain JSON (numbers, strings, ISO dates), so the page, its chart
 * wrappers and GET /api/v1/overview share one shape. Tool-call parameters and results have no
 * place here: everything is counted from the hourly rollup and indexed tables.
 */

export type TileTone = "default" | "warn" | "bad";

/** One number on the dashboard, linking to the list it counts. */
export type OverviewTile = { id: string; label: string; value: string; href: string; tone: TileTone; hint?: string };

/** Calls in one UTC hour (ISO of the hour's start), allowed and blocked. */
export type HourPoint = { hour: string; allowed: number; blocked: number };
/** Calls in one UTC day ("2026-05-14"), allowed and blocked. */
export type DayPoint = { day: string; allowed: number; blocked: number };
/** An agent's spend today (UTC) and over the last 7 UTC days, in USD. agentId null = calls not attributed to a registered agent. */
export type AgentSpendPoint = { agentId: string | null; agentName: string; todayUsd: number; weekUsd: number };
/** Reviews in one week (Monday, UTC): decisions by outcome, and tool requests filed. */
export type WeekPoint = { week: string; approved: number; conditional: number; rejected: number; filed: number };

export type CallWindow = { calls: number; blocked: number };

export type OverviewDashboard = {
  generatedAt: string;
  reviews: { pendingRequests: number; overdueReReviews: number; integrationsOverdue: number; integrationsFlagged: number };
  calls: {
    last24h: CallWindow;
    last7d: CallWindow;
    /** Open unapproved-tool findings (a tool called outside the agent's allowlist) last seen in the window. */
    unapproved24h: number;
    unapproved7d: number;
  };
  findingsOpen: number;
  response: { activeContainment: number; escalations: number; incidentsOpen: number; incidentsContained: number };
  spend: {
    day: string;
    todayUsd: string;
    weekUsd: string;
    /** The fleet budget (agentId null); null when none is set. */
    budget: { dailyUsd: string; enabled: boolean; onLimit: string } | null;
    /** Today's spend as a percent of the enabled fleet budget (one decimal), null without one. */
    percent: number | null;
    agentsWithBudget: number;
  };
  playbooks: { total: number; drillDue: number };
  gateways: { total: number; notSeen: number; staleAfterMinutes: number };
  /** The size of the fleet, for the first tile. */
  fleet: { agents: number; tools: number };
  charts: {
    hourly: HourPoint[];
    daily: DayPoint[];
    spendByAgent: AgentSpendPoint[];
    /** How many agents spent in the last 7 days beyond those in spendByAgent. */
    spendOtherAgents: number;
    reviewThroughput: WeekPoint[];
  };
  tiles: OverviewTile[];
};
