import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listRecentToolCalls } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";

export const metadata: Metadata = { title: "Tool calls" };

export default async function ToolCallsPage() {
  await requireScope("tool_calls:read");
  const calls = await listRecentToolCalls(50);
  return (
    <>
      <PageHeader title="Tool calls" description="The latest 50 tool calls across the fleet (metadata only). The explorer — filters, parameters for permitted roles, charts, CSV and findings — arrives with the gateway capability." />
      <DataTable
        caption="Recent tool calls"
        columns={[{ id: "at", header: "When" }, { id: "agent", header: "Agent" }, { id: "tool", header: "Tool" }, { id: "decision", header: "Decision" }, { id: "ms", header: "Duration" }]}
        rows={calls.map((c) => ({
          key: c.id.toString(),
          cells: {
            at: fmtDate(c.occurredAt),
            agent: c.agentName,
            tool: <code>{c.toolName}</code>,
            decision: c.decision === "blocked" ? <span><Badge tone="red">blocked</Badge> <span className="text-xs text-slate-500">{c.blockReason}</span></span> : <Badge tone="green">allowed</Badge>,
            ms: c.durationMs != null ? `${c.durationMs} ms` : "—",
          },
          sort: { at: c.occurredAt.getTime(), agent: c.agentName, tool: c.toolName, decision: c.decision, ms: c.durationMs ?? 0 },
        }))}
        empty={<EmptyState title="No tool calls yet">Tool calls arrive when a gateway with the Warden plugin is connected.</EmptyState>}
      />
    </>
  );
}
