import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { getPlaybook, playbookFormChoices, type PlaybookDetail } from "@/lib/playbooks/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { PlaybookForm } from "@/components/playbooks/PlaybookForm";
import { EMPTY_PLAYBOOK, type PlaybookFormValues } from "@/components/playbooks/types";
import { updatePlaybook } from "../../actions";

export const metadata: Metadata = { title: "Edit playbook" };

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));

/** The stored playbook as form strings (an invalid stored configuration starts from the defaults). */
function formValuesOf(p: PlaybookDetail): PlaybookFormValues {
  const c = (p.triggerConfig && typeof p.triggerConfig === "object" && !Array.isArray(p.triggerConfig) ? p.triggerConfig : {}) as Record<string, unknown>;
  const d = EMPTY_PLAYBOOK.config;
  return {
    name: p.name,
    description: p.description,
    trigger: p.trigger,
    config: {
      follow: c.integrationId ? "integration" : c.toolName && p.trigger === "vendor_advisory" ? "tool" : "any",
      integrationId: str(c.integrationId),
      toolName: str(c.toolName),
      percent: str(c.percent ?? d.percent),
      agentId: str(c.agentId),
      count: str(c.count ?? d.count),
      minutes: str(c.minutes ?? d.minutes),
      severity: (["low", "medium", "high", "critical"].includes(str(c.severity)) ? str(c.severity) : "") as PlaybookFormValues["config"]["severity"],
    },
    contacts: p.contacts.map((ct, i) => ({ key: `c${i}`, kind: ct.kind, name: ct.name, email: ct.email ?? "", phone: ct.phone ?? "" })),
    breakGlass: p.breakGlass,
    steps: p.steps.map((s) => ({ key: s.id, id: s.id, phase: s.phase, title: s.title, detail: s.detail, actionType: s.action?.type ?? "", actionTarget: s.action?.target ?? "" })),
  };
}

export default async function EditPlaybookPage({ params }: { params: Promise<{ id: string }> }) {
  await requireScope("playbooks:manage");
  const { id } = await params;
  const [p, choices] = await Promise.all([getPlaybook(id), playbookFormChoices()]);
  if (!p) notFound();
  return (
    <>
      <PageHeader
        title={`Edit ${p.name}`}
        actions={
          <Link href={`/playbooks/${p.id}`} className="text-sm text-brand-600 hover:underline">
            ← Back to the playbook
          </Link>
        }
      />
      <Card>
        <PlaybookForm mode="edit" id={p.id} initial={formValuesOf(p)} action={updatePlaybook} choices={choices} />
      </Card>
    </>
  );
}
