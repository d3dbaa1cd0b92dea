import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { incidentFormChoices } from "@/lib/incidents/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { OpenIncidentForm } from "@/components/incidents/OpenIncidentForm";
import { openIncident } from "../actions";

export const metadata: Metadata = { title: "Open an incident" };

export default async function NewIncidentPage() {
  const actor = await requireScope("incidents:manage");
  const { owners, playbooks } = await incidentFormChoices();
  return (
    <>
      <PageHeader
        title="Open an incident"
        description="Declare an incident by hand. To open one from a finding, use “Open incident” on the findings page: its details are copied onto the timeline."
        actions={
          <Link href="/incidents" className="text-sm text-brand-600 hover:underline">
            ← All incidents
          </Link>
        }
      />
      <Card>
        <OpenIncidentForm action={openIncident} owners={owners} playbooks={playbooks} defaultOwnerId={owners.some((o) => o.id === actor.userId) ? actor.userId : undefined} />
      </Card>
    </>
  );
}
