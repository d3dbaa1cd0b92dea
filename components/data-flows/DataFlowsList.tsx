import Link from "next/link";
import { CLASSIFICATIONS, FLOW_STATUSES } from "@/lib/data-flows/schema";
import type { ListView } from "@/lib/list";
import type { ServerAction } from "@/components/admin/types";
import { ListPage } from "@/components/ui/ListPage";
import { Badge } from "@/components/ui/Badge";
import { PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { FlowDecision } from "./FlowDecision";

/** What a row of the data-flow list shows. */
export type DataFlowListRow = {
  id: string;
  service: string;
  host: string;
  isLlmProvider: boolean;
  dataSent: string;
  dataReceived: string;
  classification: keyof typeof CLASS_TONE;
  status: keyof typeof STATUS_TONE;
  decidedAt: Date | null;
  agent: { name: string };
  approver: { name: string | null; email: string } | null;
};

const CLASS_TONE = { public: "gray", internal: "blue", confidential: "amber", restricted: "red" } as const;
const STATUS_TONE = { approved: "green", proposed: "amber", rejected: "red" } as const;
/** An API route, not a page: a plain link so the browser downloads it. */
const EGRESS_POLICY = "/api/v1/data-flows/egress-policy";

/** The data-flow registry: which agent sends what to which external service, and its approval. */
export function DataFlowsList(props: { rows: DataFlowListRow[]; view: ListView; agents: { name: string }[]; canWrite: boolean; canDecide: boolean; decide: ServerAction }) {
  const { rows, view, agents, canWrite, canDecide, decide } = props;
  return (
    <>
      <PageHeader
        title="Data flows"
        description="Every external service agents send data to, LLM providers included, with its classification and approval. Approved flows become the egress allowlist; editing a flow sends it back for a decision."
        actions={
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span className="text-slate-600 dark:text-slate-400">Egress allowlist:</span>
            <a className="text-brand-600 hover:underline" href={`${EGRESS_POLICY}?format=yaml`}>
              YAML
            </a>
            <a className="text-brand-600 hover:underline" href={`${EGRESS_POLICY}?format=json`}>
              JSON
            </a>
            {canWrite && (
              <Link href="/data-flows/new" className="rounded-md bg-brand-600 px-3 py-2 font-medium text-white hover:bg-brand-700">
                Record a data flow
              </Link>
            )}
          </div>
        }
      />
      <ListPage
        caption="Data flows"
        noun="data flows"
        basePath="/data-flows"
        view={view}
        csvPath="/api/v1/data-flows"
        searchPlaceholder="service, host, data, agent"
        columns={[
          { id: "agent", header: "Agent", sortable: true },
          { id: "service", header: "Service", sortable: true },
          { id: "host", header: "Host", sortable: true },
          { id: "data", header: "Data sent / received" },
          { id: "classification", header: "Classification", sortable: true },
          { id: "status", header: "Status", sortable: true },
          { id: "decidedAt", header: "Decided", sortable: true },
          { id: "actions", header: "Actions" },
        ]}
        filters={[
          { id: "status", label: "Status", options: FLOW_STATUSES.map((s) => ({ value: s, label: s })) },
          { id: "classification", label: "Classification", options: CLASSIFICATIONS.map((c) => ({ value: c, label: c })) },
          {
            id: "llm",
            label: "LLM provider",
            options: [
              { value: "yes", label: "LLM providers" },
              { value: "no", label: "other services" },
            ],
          },
          { id: "agent", label: "Agent", options: agents.map((a) => ({ value: a.name, label: a.name })) },
        ]}
        rows={rows.map((f) => ({
          key: f.id,
          href: `/data-flows/${f.id}`,
          cells: {
            agent: f.agent.name,
            service: (
              <span className="font-medium">
                {f.service} {f.isLlmProvider && <Badge tone="blue">LLM</Badge>}
              </span>
            ),
            host: <code className="text-xs">{f.host}</code>,
            data: (
              <div className="max-w-md text-xs">
                <p>
                  <span className="text-slate-500">sent:</span> {f.dataSent}
                </p>
                <p>
                  <span className="text-slate-500">received:</span> {f.dataReceived}
                </p>
              </div>
            ),
            classification: <Badge tone={CLASS_TONE[f.classification]}>{f.classification}</Badge>,
            status: <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>,
            decidedAt: f.decidedAt ? (
              <div className="text-xs">
                <p>
                  <RelativeTime at={f.decidedAt} />
                </p>
                <p className="text-slate-500">by {f.approver?.name || f.approver?.email || "—"}</p>
              </div>
            ) : (
              <span className="text-xs text-slate-500">awaiting decision</span>
            ),
            actions: (
              <div className="flex flex-col gap-2">
                <Link href={`/data-flows/${f.id}`} className="text-sm text-brand-600 hover:underline">
                  {canWrite ? "Open / edit" : "Open"}
                </Link>
                {canDecide && <FlowDecision id={f.id} label={`${f.agent.name} → ${f.host}`} status={f.status} action={decide} />}
              </div>
            ),
          },
        }))}
        empty={{
          title: "No data flows recorded",
          body: "Record which agent sends what data to which external service, LLM providers included. Once approved, each host goes into the egress allowlist.",
          action: canWrite ? { href: "/data-flows/new", label: "Record the first flow" } : null,
        }}
      />
    </>
  );
}
