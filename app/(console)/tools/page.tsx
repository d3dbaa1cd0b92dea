import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listTools } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge, type Tone } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";

export const metadata: Metadata = { title: "Tools & allowlist" };

function reviewState(v: { decisions: { outcome: string; revokedAt: Date | null; reReviewAt: Date | null }[]; requests: { id: string }[] } | undefined, now: Date): [string, Tone] {
  const d = v?.decisions[0];
  if (v?.requests.length) return ["pending review", "amber"];
  if (!d) return ["not reviewed", "gray"];
  if (d.revokedAt) return ["revoked", "red"];
  if (d.outcome === "reject") return ["rejected", "red"];
  if (d.reReviewAt && d.reReviewAt < now) return ["re-review overdue", "amber"];
  return [d.outcome === "approve" ? "approved" : "approved with conditions", "green"];
}

export default async function ToolsPage() {
  await requireScope("registry:read");
  const tools = await listTools();
  const now = new Date();
  return (
    <>
      <PageHeader title="Tools & allowlist" description="Every tool, skill, MCP server and plugin an agent can call, pinned to a version and content hash. The request → review → decision workflow arrives with the registry." />
      <DataTable
        caption="Tools"
        columns={[{ id: "name", header: "Tool" }, { id: "kind", header: "Kind" }, { id: "publisher", header: "Publisher" }, { id: "version", header: "Latest version" }, { id: "state", header: "Review" }]}
        rows={tools.map((t) => {
          const [state, tone] = reviewState(t.versions[0], now);
          return {
            key: t.id,
            cells: {
              name: <span className="font-medium">{t.name}{t.advisoryFlaggedAt && <> <Badge tone="red">advisory</Badge></>}</span>,
              kind: `${t.kind.replace("_", " ")} · ${t.source}`,
              publisher: <span>{t.publisher} {t.publisherVerified ? <Badge tone="green">verified</Badge> : <Badge tone="amber">unverified</Badge>}</span>,
              version: t.versions[0] ? <span><span>{t.versions[0].version}</span> <code className="text-xs text-slate-500">{t.versions[0].contentHash.slice(0, 12)}…</code></span> : "—",
              state: <Badge tone={tone}>{state}</Badge>,
            },
            sort: { name: t.name, kind: t.kind, publisher: t.publisher, state },
          };
        })}
        empty={<EmptyState title="No tools yet">Tools appear when someone files a request or a gateway reports its inventory.</EmptyState>}
      />
    </>
  );
}
