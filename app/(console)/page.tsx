import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { injectFault } from "@/lib/faults/inject";
import { startOverviewCards } from "@/lib/overview/cards";
import { OverviewView } from "@/components/overview/OverviewView";
import { PageHeader } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  // Every role reads the dashboard, managers included: it shows counts only, never tool-call parameters.
  await requireScope("dashboard:read");
  await injectFault("overview-page");
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
