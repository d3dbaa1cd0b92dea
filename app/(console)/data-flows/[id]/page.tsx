import type { Metadata } from "next";
import { Fact } from "@/components/ui/Fact";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getDataFlow } from "@/lib/data-flows/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import { DataFlowForm } from "@/components/data-flows/DataFlowForm";
import { FlowDecision } from "@/components/data-flows/FlowDecision";
import { decideDataFlow, updateDataFlow } from "../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Data flow" };

const CLASS_TONE = { public: "gray", internal: "blue", confidential: "amber", restricted: "red" } as const;
const STATUS_TONE = { approved: "green", proposed: "amber", rejected: "red" } as const;

export default async function DataFlowPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const f = await getDataFlow((await params).id, teamScopeOf(actor));
  if (!f) notFound();
  const canWrite = can(actor.role, "registry:write");
  const canDecide = can(actor.role, "data_flows:decide");
  const label = `${f.agent.name} → ${f.host}`;
  return (
    <>
      <PageHeader
        title={`${f.service} (${f.host})`}
        description={`Data flow of the agent ${f.agent.name}.`}
        actions={
          <Link href="/data-flows" className="text-sm text-brand-600 hover:underline">
            ← All data flows
          </Link>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="space-y-6">
          <Card title="Flow">
            <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-2">
              <Fact label="Agent">{f.agent.name}</Fact>
              <Fact label="Service">
                {f.service} {f.isLlmProvider && <Badge tone="blue">LLM provider</Badge>}
              </Fact>
              <Fact label="Host">
                <code>{f.host}</code>
              </Fact>
              <Fact label="Classification">
                <Badge tone={CLASS_TONE[f.classification]}>{f.classification}</Badge>
              </Fact>
              <Fact label="Data sent">{f.dataSent}</Fact>
              <Fact label="Data received">{f.dataReceived}</Fact>
              <Fact label="Recorded">
                {fmtDate(f.createdAt)} · updated {fmtDate(f.updatedAt)}
              </Fact>
            </dl>
          </Card>
          {canWrite && (
            <Card title="Edit">
              <DataFlowForm
                mode="edit"
                id={f.id}
                status={f.status}
                action={updateDataFlow}
                initial={{ agentId: f.agentId, service: f.service, host: f.host, isLlmProvider: f.isLlmProvider, dataSent: f.dataSent, dataReceived: f.dataReceived, classification: f.classification }}
              />
            </Card>
          )}
        </div>
        <Card title="Approval">
          <dl className="mb-4 space-y-2 text-sm">
            <Fact label="Status">
              <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>
            </Fact>
            <Fact label="Decided by">{f.approver ? `${f.approver.name} (${f.approver.email})` : "—"}</Fact>
            <Fact label="Decided at">{fmtDate(f.decidedAt)}</Fact>
          </dl>
          {f.status === "approved" && <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">Its host is in the egress allowlist.</p>}
          {canDecide ? <FlowDecision id={f.id} label={label} status={f.status} action={decideDataFlow} withReason /> : <p className="text-sm text-slate-500">Your role cannot decide data flows.</p>}
        </Card>
      </div>
    </>
  );
}
