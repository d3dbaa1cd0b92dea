import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listAgentChoices, listDataFlows, parseDataFlowQuery } from "@/lib/data-flows/queries";
import { CLASSIFICATIONS, FLOW_STATUSES } from "@/lib/data-flows/schema";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import { FlowDecision } from "@/components/data-flows/FlowDecision";
import { decideDataFlow } from "./actions";

export const metadata: Metadata = { title: "Data flows" };

const CLASS_TONE = { public: "gray", internal: "blue", confidential: "amber", restricted: "red" } as const;
const STATUS_TONE = { approved: "green", proposed: "amber", rejected: "red" } as const;
/** An API route, not a page: a plain link so the browser downloads it. */
const EGRESS_POLICY = "/api/v1/data-flows/egress-policy";

type SP = Record<string, string | string[] | undefined>;

export default async function DataFlowsPage({ searchParams }: { searchParams: Promise<SP> }) {
  const actor = await requireScope("registry:read");
  const sp = await searchParams;
  const { query, invalid } = parseDataFlowQuery(sp);
  const [page, agents] = await Promise.all([listDataFlows(query), listAgentChoices()]);
  const canWrite = can(actor.role, "registry:write");
  const canDecide = can(actor.role, "data_flows:decide");
  const filtered = Boolean(query.q || query.status || query.classification || query.llm || query.agent);

  const csv = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) if (typeof v === "string" && v && k !== "page" && k !== "pageSize" && !invalid.includes(k)) csv.set(k, v);
  csv.set("format", "csv");

  return (
    <>
      <PageHeader
        title="Data flows"
        description="Every external service agents send data to, LLM providers included, with its classification and approval. Approved flows become the egress allowlist; editing a flow sends it back for a decision."
        actions={
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span className="text-slate-600 dark:text-slate-400">Egress allowlist:</span>
            <a className="text-brand-600 hover:underline" href={`${EGRESS_POLICY}?format=yaml`}>YAML</a>
            <a className="text-brand-600 hover:underline" href={`${EGRESS_POLICY}?format=json`}>JSON</a>
            {canWrite && <Link href="/data-flows/new" className="rounded-md bg-brand-600 px-3 py-2 font-medium text-white hover:bg-brand-700">Record a data flow</Link>}
          </div>
        }
      />
      {invalid.length > 0 && <p role="alert" className="mb-3 text-sm text-red-600">Some filters were not valid and were ignored: {invalid.join(", ")}.</p>}
      <ServerTable
        caption="Data flows"
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
          { id: "llm", label: "LLM provider", options: [{ value: "yes", label: "LLM providers" }, { value: "no", label: "other services" }] },
          { id: "agent", label: "Agent", options: agents.map((a) => ({ value: a.name, label: a.name })) },
        ]}
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        csvHref={`/api/v1/data-flows?${csv}`}
        rows={page.rows.map((f) => ({
          key: f.id,
          href: `/data-flows/${f.id}`,
          cells: {
            agent: f.agent.name,
            service: <span className="font-medium">{f.service} {f.isLlmProvider && <Badge tone="blue">LLM</Badge>}</span>,
            host: <code className="text-xs">{f.host}</code>,
            data: <div className="max-w-md text-xs"><p><span className="text-slate-500">sent:</span> {f.dataSent}</p><p><span className="text-slate-500">received:</span> {f.dataReceived}</p></div>,
            classification: <Badge tone={CLASS_TONE[f.classification]}>{f.classification}</Badge>,
            status: <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>,
            decidedAt: f.decidedAt ? <div className="text-xs"><p>{fmtDate(f.decidedAt)}</p><p className="text-slate-500">by {f.approver?.name || f.approver?.email || "—"}</p></div> : <span className="text-xs text-slate-500">awaiting decision</span>,
            actions: (
              <div className="flex flex-col gap-2">
                <Link href={`/data-flows/${f.id}`} className="text-sm text-brand-600 hover:underline">{canWrite ? "Open / edit" : "Open"}</Link>
                {canDecide && <FlowDecision id={f.id} label={`${f.agent.name} → ${f.host}`} status={f.status} action={decideDataFlow} />}
              </div>
            ),
          },
        }))}
        empty={
          filtered ? (
            <EmptyState title="No data flows match">
              Change the search or filters, or <Link className="text-brand-600 hover:underline" href="/data-flows">show all data flows</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="No data flows recorded">
              Record which agent sends what data to which external service, LLM providers included. Once approved, each host goes into the egress allowlist.
              {canWrite && <> <Link className="text-brand-600 hover:underline" href="/data-flows/new">Record the first flow</Link>.</>}
            </EmptyState>
          )
        }
      />
    </>
  );
}
