import "server-only";
import { injectFault } from "@/lib/faults/inject";
import { loadCallsSection, loadFleetSection, loadResponseSection, loadReviewsSection, loadReviewThroughput, readOverviewRollup, sectionTiles } from "./queries";

/** Which tiles each section of the overview shows, in order. */
export const OVERVIEW_SECTIONS = {
  reviews: ["pending_reviews", "overdue_rereviews", "vendor_audits"],
  calls: ["unapproved_24h", "blocked_24h", "blocked_7d"],
  response: ["containment", "escalations", "incidents", "drills"],
  fleet: ["agents", "spend", "gateways_stale"],
} as const;

/** A promise a card awaits later; marked handled now so a failure is the card's, never an unhandled rejection. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function card<T>(point: string, load: () => Promise<T>): Promise<T> {
  return handled(injectFault(point).then(load));
}

/**
 * Start every overview card's queries at once, without waiting: each card awaits only its own
 * promise inside its Suspense boundary, so a slow query holds one card and a failed one breaks
 * one card. The rollup slices are read once and shared.
 */
export function startOverviewCards(now: Date = new Date()) {
  const rollup = handled(readOverviewRollup(now));
  const calls = card("overview-calls", () => loadCallsSection(now, rollup));
  const fleet = card("overview-fleet", () => loadFleetSection(now, rollup));
  return {
    generatedAt: now.toISOString(),
    tiles: {
      reviews: card("overview-reviews", async () => sectionTiles(OVERVIEW_SECTIONS.reviews, { reviews: await loadReviewsSection(now) })),
      calls: handled(calls.then((c) => sectionTiles(OVERVIEW_SECTIONS.calls, { calls: c.calls }))),
      response: card("overview-response", async () => sectionTiles(OVERVIEW_SECTIONS.response, await loadResponseSection(now))),
      fleet: handled(fleet.then((f) => sectionTiles(OVERVIEW_SECTIONS.fleet, { spend: f.spend, gateways: f.gateways, fleet: f.fleet }))),
    },
    callsChart: card("overview-calls-chart", async () => {
      const c = await calls;
      return { hourly: c.hourly, daily: c.daily };
    }),
    spendChart: card("overview-spend-chart", async () => {
      const f = await fleet;
      return { points: f.spendByAgent, others: f.spendOtherAgents };
    }),
    throughput: card("overview-throughput", () => loadReviewThroughput(now)),
    findingsOpen: card("overview-findings", async () => (await calls).findingsOpen),
  };
}

export type OverviewCards = ReturnType<typeof startOverviewCards>;
