import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { playbookFormChoices } from "@/lib/playbooks/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { PlaybookForm } from "@/components/playbooks/PlaybookForm";
import { createPlaybook } from "../actions";

export const metadata: Metadata = { title: "New playbook" };

export default async function NewPlaybookPage() {
  await requireScope("playbooks:manage");
  const choices = await playbookFormChoices();
  return (
    <>
      <PageHeader
        title="New playbook"
        description="What fires it, the steps of each phase (detection, containment, investigation, recovery, post-mortem), who to call, and how to act if Warden or a gateway is unreachable."
        actions={
          <Link href="/playbooks" className="text-sm text-brand-600 hover:underline">
            ← All playbooks
          </Link>
        }
      />
      <Card>
        <PlaybookForm mode="create" action={createPlaybook} choices={choices} />
      </Card>
    </>
  );
}
