import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listIntegrations } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDay } from "@/components/ui/format";

export const metadata: Metadata = { title: "Integrations" };

export default async function IntegrationsPage() {
  await requireScope("registry:read");
  const rows = await listIntegrations();
  const now = new Date();
  return (
    <>
      <PageHeader title="Integrations" description="Vendors and partners your agents depend on: the trust decision, the last audit, and who to call when they are breached." />
      <DataTable
        caption="Integrations"
        columns={[{ id: "name", header: "Integration" }, { id: "provider", header: "Provider" }, { id: "audit", header: "Last audit" }, { id: "review", header: "Next review" }, { id: "contact", header: "Security contact" }]}
        rows={rows.map((i) => ({
          key: i.id,
          cells: {
            name: <div><p className="font-medium">{i.name} {i.advisoryFlaggedAt && <Badge tone="red">advisory</Badge>}</p><p className="text-xs text-slate-500">{i.reason}</p></div>,
            provider: <span>{i.provider} {i.providerVerified && <Badge tone="green">verified</Badge>}</span>,
            audit: <div><p>{fmtDay(i.auditDate)}</p><p className="text-xs text-slate-500">{i.auditResult ?? ""}</p></div>,
            review: i.nextReviewAt && i.nextReviewAt < now ? <Badge tone="red">overdue since {fmtDay(i.nextReviewAt)}</Badge> : fmtDay(i.nextReviewAt),
            contact: i.securityContactName ? `${i.securityContactName} <${i.securityContactEmail ?? ""}>` : <Badge tone="amber">none on file</Badge>,
          },
          sort: { name: i.name, provider: i.provider, review: i.nextReviewAt?.getTime() ?? 0, audit: i.auditDate?.getTime() ?? 0 },
        }))}
        empty={<EmptyState title="No integrations yet">Record each vendor with its security contact and audit result, or import them from an AGENTS.md file.</EmptyState>}
      />
    </>
  );
}
