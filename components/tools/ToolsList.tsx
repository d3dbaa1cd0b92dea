import Link from "next/link";
import { TOOL_KINDS, TOOL_SOURCES } from "@/lib/tools/schema";
import type { ListView } from "@/lib/list";
import { ListPage } from "@/components/ui/ListPage";
import { Badge, type Tone } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { fmtCount } from "@/components/ui/format";

/** What a row of the tools list shows. */
export type ToolListRow = {
  id: string;
  name: string;
  kind: string;
  source: string;
  publisher: string;
  publisherVerified: boolean;
  advisoryFlaggedAt: Date | null;
  latest: { version: string; contentHash: string } | null;
  state: string;
};
/** A tool request waiting for review. */
export type PendingRequest = { id: string; createdAt: Date; justification: string; requester: { email: string }; toolVersion: { version: string; tool: { name: string } } };

const STATE_TONE: Record<string, Tone> = {
  "pending review": "amber",
  approved: "green",
  "approved with conditions": "green",
  "re-review overdue": "amber",
  rejected: "red",
  revoked: "red",
  "not reviewed": "gray",
};

/** The tool allowlist: requests awaiting review, then every tool with its review state. */
export function ToolsList({ rows, view, pending, canRequest }: { rows: ToolListRow[]; view: ListView; pending: PendingRequest[]; canRequest: boolean }) {
  return (
    <>
      <PageHeader
        title="Tools & allowlist"
        description="Every tool, skill, MCP server and plugin an agent can call. Approvals are pinned to a version and its SHA-256; a new version or hash needs a new review."
        actions={
          <span className="flex items-center gap-4">
            <Link href="/tools/bundles" className="text-sm text-brand-600 hover:underline">
              Capability bundles
            </Link>
            {canRequest && (
              <Link href="/tools/requests/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
                Request a tool
              </Link>
            )}
          </span>
        }
      />
      <div className="mb-6">
        <Card title={`Awaiting review (${fmtCount(pending.length)})`}>
          {pending.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">No requests are waiting. New requests appear here for security leads.</p>
          ) : (
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {pending.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                  <span>
                    <Link href={`/tools/requests/${r.id}`} className="font-medium text-brand-600 hover:underline">
                      {r.toolVersion.tool.name} {r.toolVersion.version}
                    </Link>{" "}
                    <span className="text-slate-500">
                      requested by {r.requester.email} · <RelativeTime at={r.createdAt} />
                    </span>
                  </span>
                  <span className="max-w-xl truncate text-slate-600 dark:text-slate-400">{r.justification}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <ListPage
        caption="Tools"
        noun="tools"
        basePath="/tools"
        view={view}
        csvPath="/api/v1/tools"
        searchPlaceholder="name, publisher"
        columns={[
          { id: "name", header: "Tool", sortable: true },
          { id: "kind", header: "Kind", sortable: true },
          { id: "publisher", header: "Publisher", sortable: true },
          { id: "version", header: "Latest version" },
          { id: "state", header: "Review" },
        ]}
        filters={[
          { id: "kind", label: "Kind", options: TOOL_KINDS.map((k) => ({ value: k, label: k.replace("_", " ") })) },
          { id: "source", label: "Source", options: TOOL_SOURCES.map((k) => ({ value: k, label: k })) },
          {
            id: "review",
            label: "Review",
            options: [
              { value: "pending", label: "pending" },
              { value: "overdue", label: "re-review overdue" },
              { value: "advisory", label: "advisory flagged" },
            ],
          },
        ]}
        rows={rows.map((t) => ({
          key: t.id,
          cells: {
            name: (
              <span>
                <Link href={`/tools/${t.id}`} className="font-medium text-brand-600 hover:underline">
                  {t.name}
                </Link>
                {t.advisoryFlaggedAt && (
                  <>
                    {" "}
                    <Badge tone="red">advisory</Badge>
                  </>
                )}
              </span>
            ),
            kind: `${t.kind.replace("_", " ")} · ${t.source}`,
            publisher: (
              <span>
                {t.publisher} {t.publisherVerified ? <Badge tone="green">verified</Badge> : <Badge tone="amber">unverified</Badge>}
              </span>
            ),
            version: t.latest ? (
              <span>
                {t.latest.version} <code className="text-xs text-slate-500">{t.latest.contentHash.slice(0, 12)}…</code>
              </span>
            ) : (
              "—"
            ),
            state: <Badge tone={STATE_TONE[t.state]}>{t.state}</Badge>,
          },
        }))}
        empty={{
          title: "No tools yet",
          body: "Tools appear here when someone requests one for review, or when a gateway reports the tools its agents can call.",
          action: canRequest ? { href: "/tools/requests/new", label: "Request the first tool" } : null,
        }}
      />
    </>
  );
}
