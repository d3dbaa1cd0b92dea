import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listAdvisories } from "@/lib/advisories/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDate } from "@/components/ui/format";
import { AdvisoryForm, DeleteAdvisory } from "@/components/gateways/AdvisoryForm";
import { createAdvisory, deleteAdvisory } from "./actions";

export const metadata: Metadata = { title: "Advisories" };

const TONE = { low: "gray", medium: "amber", high: "red", critical: "red" } as const;

export default async function AdvisoriesPage() {
  const actor = await requireScope("registry:read");
  const canManage = can(actor.role, "advisories:manage");
  const advisories = await listAdvisories();
  return (
    <>
      <PageHeader
        title="Advisories"
        description="Security advisories against the gateway software. Every gateway reporting a version in an advisory's range gets an advisory finding, when the advisory is recorded and at each inventory report; upgrading past the range resolves it."
        actions={
          <Link href="/gateways" className="text-sm text-brand-600 hover:underline">
            Gateways
          </Link>
        }
      />
      {canManage && (
        <div className="mb-6">
          <Card title="Record an advisory">
            <AdvisoryForm action={createAdvisory} />
          </Card>
        </div>
      )}
      {advisories.length === 0 ? (
        <EmptyState title="No advisories recorded">{canManage ? "Record one above when a vendor publishes an advisory for OpenClaw." : "A security lead records advisories here."}</EmptyState>
      ) : (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Advisories</caption>
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              <th className="py-2">Advisory</th>
              <th>Product</th>
              <th>Affected versions</th>
              <th>Severity</th>
              <th>Gateways affected</th>
              <th>Recorded</th>
              {canManage && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {advisories.map((a) => (
              <tr key={a.id} className="border-b border-slate-100 dark:border-slate-800">
                <td className="py-2">
                  {a.url ? (
                    <a className="text-brand-600 hover:underline" href={a.url} rel="noreferrer noopener" target="_blank">
                      {a.title}
                    </a>
                  ) : (
                    a.title
                  )}
                  {a.note && <p className="text-xs text-slate-500">{a.note}</p>}
                </td>
                <td>{a.product}</td>
                <td>
                  <code className="text-xs">{a.versionRange}</code>
                </td>
                <td>
                  <Badge tone={TONE[a.severity]}>{a.severity}</Badge>
                </td>
                <td>
                  {a.affectedGateways ? (
                    <Link className="text-brand-600 hover:underline" href="/findings?kind=advisory&status=open">
                      {a.affectedGateways}
                    </Link>
                  ) : (
                    "none"
                  )}
                </td>
                <td className="whitespace-nowrap text-xs">{fmtDate(a.createdAt)}</td>
                {canManage && (
                  <td>
                    <DeleteAdvisory id={a.id} title={a.title} action={deleteAdvisory} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
