import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listDataFlows } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Data flows" };

const CLASS_TONE = { public: "gray", internal: "blue", confidential: "amber", restricted: "red" } as const;
const STATUS_TONE = { approved: "green", proposed: "amber", rejected: "red" } as const;

export default async function DataFlowsPage() {
  await requireScope("registry:read");
  const flows = await listDataFlows();
  return (
    <>
      <PageHeader title="Data flows" description="Every external service agents send data to, LLM providers included, with its classification and approval. Approved flows become the egress allowlist." />
      <DataTable
        caption="Data flows"
        columns={[{ id: "agent", header: "Agent" }, { id: "service", header: "Service" }, { id: "sent", header: "Data sent" }, { id: "class", header: "Classification" }, { id: "status", header: "Status" }]}
        rows={flows.map((f) => ({
          key: f.id,
          cells: {
            agent: f.agent.name,
            service: <div><p className="font-medium">{f.service} {f.isLlmProvider && <Badge tone="blue">LLM</Badge>}</p><p className="text-xs text-slate-500">{f.host}</p></div>,
            sent: f.dataSent,
            class: <Badge tone={CLASS_TONE[f.classification]}>{f.classification}</Badge>,
            status: <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>,
          },
          sort: { agent: f.agent.name, service: f.service, class: f.classification, status: f.status },
        }))}
        empty={<EmptyState title="No data flows recorded">Record which agent sends what data to which service.</EmptyState>}
      />
    </>
  );
}
