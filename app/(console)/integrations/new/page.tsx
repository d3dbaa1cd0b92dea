import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { listAgentChoices } from "@/lib/integrations/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { IntegrationForm } from "@/components/integrations/IntegrationForm";
import { createIntegration } from "../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "New integration" };

export default async function NewIntegrationPage() {
  const actor = await requireScope("registry:write");
  const agents = await listAgentChoices(teamScopeOf(actor));
  return (
    <>
      <PageHeader
        title="New integration"
        description="Every integration is a trust decision: record why, what it may do, who to call when it is breached, and how agents degrade without it."
        actions={
          <Link href="/integrations" className="text-sm text-brand-600 hover:underline">
            ← All integrations
          </Link>
        }
      />
      <Card>
        <IntegrationForm mode="create" action={createIntegration} agents={agents} />
      </Card>
    </>
  );
}
