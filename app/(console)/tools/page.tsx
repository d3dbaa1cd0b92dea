import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listPendingRequests, listToolsPage, parseToolQuery } from "@/lib/tools/queries";
import { TOOL_KINDS, TOOL_SOURCES } from "@/lib/tools/schema";
import { ServerTable } from "@/components/ui/ServerTable";
import { Badge, type Tone } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";

export const metadata: Metadata = { title: "Tools & allowlist" };

const STATE_TONE: Record<string, Tone> = { "pending review": "amber", approved: "green", "approved with conditions": "green", "re-review overdue": "amber", rejected: "red", revoked: "red", "not reviewed": "gray" };

export default async function ToolsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requireScope("registry:read");
  const sp = await searchParams;
  const { query, invalid } = parseToolQuery(sp);
  const [page, pending] = await Promise.all([listToolsPage(query), listPendingRequests()]);
  const csv = `/api/v1/tools?${new URLSearchParams({ ...Object.fromEntries(Object.entries(sp).filter(([, v]) => v) as [string, string][]), format: "csv" })}`;
  return (
    <>
      <PageHeader
        title="Tools & allowlist"
        description="Every tool, skill, MCP server and plugin an agent can call. Approvals are pinned to a version and its SHA-256; a new version or hash needs a new review."
        actions={
          <span className="flex items-center gap-4">
            <Link href="/tools/bundles" className="text-sm text-brand-600 hover:underline">Capability bundles</Link>
            {can(actor.role, "tools:request") && <Link href="/tools/requests/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">Request a tool</Link>}
          </span>
        }
      />
      <div className="mb-6">
        <Card title={`Awaiting review (${pending.length})`}>
          {pending.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">No requests are waiting. New requests appear here for security leads.</p>
          ) : (
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {pending.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                  <span>
                    <Link href={`/tools/requests/${r.id}`} className="font-medium text-brand-600 hover:underline">{r.toolVersion.tool.name} {r.toolVersion.version}</Link>{" "}
                    <span className="text-slate-500">requested by {r.requester.email} · {fmtDate(r.createdAt)}</span>
                  </span>
                  <span className="max-w-xl truncate text-slate-600 dark:text-slate-400">{r.justification}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      {invalid.length > 0 && <p role="alert" className="mb-2 text-sm text-red-600">Ignored invalid filters: {invalid.join(", ")}</p>}
      <ServerTable
        caption="Tools"
        columns={[{ id: "name", header: "Tool", sortable: true }, { id: "kind", header: "Kind", sortable: true }, { id: "publisher", header: "Publisher", sortable: true }, { id: "version", header: "Latest version" }, { id: "state", header: "Review" }]}
        rows={page.rows.map((t) => ({
          key: t.id,
          cells: {
            name: <span><Link href={`/tools/${t.id}`} className="font-medium text-brand-600 hover:underline">{t.name}</Link>{t.advisoryFlaggedAt && <> <Badge tone="red">advisory</Badge></>}</span>,
            kind: `${t.kind.replace("_", " ")} · ${t.source}`,
            publisher: <span>{t.publisher} {t.publisherVerified ? <Badge tone="green">verified</Badge> : <Badge tone="amber">unverified</Badge>}</span>,
            version: t.latest ? <span>{t.latest.version} <code className="text-xs text-slate-500">{t.latest.contentHash.slice(0, 12)}…</code></span> : "—",
            state: <Badge tone={STATE_TONE[t.state]}>{t.state}</Badge>,
          },
        }))}
        total={page.total}
        page={page.page}
        pageSize={page.pageSize}
        filters={[
          { id: "kind", label: "Kind", options: TOOL_KINDS.map((k) => ({ value: k, label: k.replace("_", " ") })) },
          { id: "source", label: "Source", options: TOOL_SOURCES.map((k) => ({ value: k, label: k })) },
          { id: "review", label: "Review", options: [{ value: "pending", label: "pending" }, { value: "overdue", label: "re-review overdue" }, { value: "advisory", label: "advisory flagged" }] },
        ]}
        searchPlaceholder="name, publisher"
        csvHref={csv}
        empty={<EmptyState title="No tools match">Clear the filters, or request a tool to start its review.</EmptyState>}
      />
    </>
  );
}
