import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { listAgentChoices } from "@/lib/data-flows/queries";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { DataFlowForm } from "@/components/data-flows/DataFlowForm";
import { createDataFlow } from "../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Record a data flow" };

export default async function NewDataFlowPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:write");
  const [agents, sp] = await Promise.all([listAgentChoices(teamScopeOf(actor)), searchParams]);
  const preset = typeof sp.agent === "string" ? (agents.find((a) => a.id === sp.agent || a.name === sp.agent)?.id ?? "") : "";
  return (
    <>
      <PageHeader
        title="Record a data flow"
        description="A new flow is proposed; someone who may decide data flows approves or rejects it. Only approved hosts reach the egress allowlist."
        actions={
          <Link href="/data-flows" className="text-sm text-brand-600 hover:underline">
            ← All data flows
          </Link>
        }
      />
      {agents.length === 0 ? (
        <EmptyState title="No agents yet">Data flows belong to an agent. Register agents first (they arrive with a gateway’s inventory).</EmptyState>
      ) : (
        <Card>
          <DataFlowForm
            mode="create"
            action={createDataFlow}
            agents={agents}
            initial={{ agentId: preset, service: "", host: "", isLlmProvider: false, dataSent: "", dataReceived: "", classification: "internal" }}
          />
        </Card>
      )}
    </>
  );
}
