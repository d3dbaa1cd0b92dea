import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { injectFault } from "@/lib/faults/inject";
import { startOverviewCards } from "@/lib/overview/cards";
import { OverviewView } from "@/components/overview/OverviewView";
import { PageHeader } from "@/components/ui/Card";
import { TeamOverview } from "@/components/teams/TeamOverview";
import { teamOverview } from "@/lib/teams/queries";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  // Every role reads the dashboard, managers included: it shows counts only, never tool-call parameters.
  const actor = await requireScope("dashboard:read");
  await injectFault("overview-page");
  const scope = teamScopeOf(actor);
  if (scope) {
    // A team-scoped user sees their team's numbers, not the fleet's.
    return (
      <>
        <PageHeader title="Overview" description="Your team's agents, gateways, calls and findings. Each number opens the list behind it." />
        <TeamOverview s={await teamOverview(scope.teamId)} />
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Overview"
        description="What waits for a decision, what was blocked, and what needs attention across the fleet. Each number opens the list behind it."
        actions={
          <Link href="/posture" className="text-sm font-medium text-brand-700 underline dark:text-brand-100">
            Twelve-domain posture →
          </Link>
        }
      />
      {/* Started here, awaited card by card: the page shell never waits for a query. */}
      <OverviewView cards={startOverviewCards()} />
    </>
  );
}
