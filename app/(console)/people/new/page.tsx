import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { teamScopeOf } from "@/lib/teams/scope";
import { personFormOptions } from "@/lib/people/queries";
import { Card, PageHeader } from "@/components/ui/Card";
import { PersonForm } from "@/components/people/PersonForm";
import { SenderIdentityHelp } from "@/components/people/SenderIdentity";
import { createPerson } from "../actions";

export const metadata: Metadata = { title: "Add a person" };

export default async function NewPersonPage() {
  const actor = await requireScope("registry:write");
  const { teams, users } = await personFormOptions(actor);
  return (
    <>
      <PageHeader title="Add a person" description={<SenderIdentityHelp />} />
      <Card>
        <PersonForm action={createPerson} teams={teams} users={users} scopedTeam={teamScopeOf(actor) !== null} />
      </Card>
    </>
  );
}
