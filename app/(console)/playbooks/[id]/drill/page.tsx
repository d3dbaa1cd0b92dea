import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { getPlaybook } from "@/lib/playbooks/queries";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { DrillRunner } from "@/components/playbooks/DrillRunner";
import { runDrill } from "../../actions";

export const metadata: Metadata = { title: "Drill" };

export default async function DrillPage({ params }: { params: Promise<{ id: string }> }) {
  await requireScope("incidents:manage");
  const { id } = await params;
  const p = await getPlaybook(id);
  if (!p) notFound();
  // The runner stamps the drill on this clock (the server's), whatever the browser's clock says.
  const renderedAt = new Date();
  return (
    <>
      <PageHeader
        title={`Drill: ${p.name}`}
        description="Rehearse the playbook against the clock. Nothing is sent to gateways and nothing is contained; the drill, its timings and notes are saved when you finish."
        actions={
          <Link href={`/playbooks/${p.id}`} className="text-sm text-brand-600 hover:underline">
            ← Back to the playbook
          </Link>
        }
      />
      {p.breakGlass && (
        <details className="mb-6 rounded-xl border border-red-300 bg-red-50 p-4 text-sm dark:border-red-900 dark:bg-red-950">
          <summary className="cursor-pointer font-semibold text-red-800 dark:text-red-200">Break-glass access (if Warden or a gateway is unreachable)</summary>
          <p className="mt-2 whitespace-pre-wrap font-mono text-xs">{p.breakGlass}</p>
        </details>
      )}
      {p.steps.length === 0 ? (
        <EmptyState title="This playbook has no steps">
          Add steps before drilling it:{" "}
          <Link className="text-brand-600 hover:underline" href={`/playbooks/${p.id}/edit`}>
            edit the playbook
          </Link>
          .
        </EmptyState>
      ) : (
        <DrillRunner
          playbookId={p.id}
          steps={p.steps.map((s) => ({ id: s.id, phase: s.phase, title: s.title, detail: s.detail, action: s.action }))}
          serverNow={renderedAt.getTime()}
          action={runDrill}
        />
      )}
    </>
  );
}
