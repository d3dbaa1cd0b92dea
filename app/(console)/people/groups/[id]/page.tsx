import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getGroup, personOptions } from "@/lib/people/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { ConfirmAction } from "@/components/people/ConfirmAction";
import { PickForm } from "@/components/people/PickForm";
import { addMember, deleteGroup, removeMember } from "../../actions";

export const metadata: Metadata = { title: "Group" };

export default async function GroupPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const group = await getGroup(actor, id);
  if (!group) notFound();
  const canWrite = can(actor.role, "registry:write");
  const people = canWrite ? await personOptions(actor) : [];
  const addable = people.filter((p) => !group.members.some((m) => m.id === p.id)).map((p) => ({ id: p.id, name: p.displayName }));
  return (
    <>
      <PageHeader
        title={group.name}
        description={
          <span>
            {group.description || "A group of people."} Team: {group.team?.name ?? "none"}.{" "}
            <Link href="/people/groups" className="text-brand-600 hover:underline">
              All groups
            </Link>
          </span>
        }
        actions={
          canWrite ? (
            <ConfirmAction
              label="Delete group"
              question="Its members stay in the directory; rules and limits about this group are deleted with it. Delete?"
              action={deleteGroup}
              payload={{ id: group.id }}
              done="Group deleted."
              redirectTo="/people/groups"
            />
          ) : undefined
        }
      />
      <Card title={`Members (${group.members.length})`}>
        {group.members.length ? (
          <ul className="mb-4 divide-y divide-slate-100 dark:divide-slate-800" aria-label="Members">
            {group.members.map((m) => (
              <li key={m.id} className="flex items-center justify-between gap-2 py-2 text-sm">
                <span className="flex items-center gap-2">
                  <Link href={`/people/${m.id}`} className="text-brand-600 hover:underline">
                    {m.displayName}
                  </Link>
                  {m.email && <span className="text-slate-500">{m.email}</span>}
                  {m.disabledAt && <Badge tone="red">disabled</Badge>}
                </span>
                {canWrite && (
                  <ConfirmAction label="Remove" question={`Remove ${m.displayName} from ${group.name}?`} action={removeMember} payload={{ groupId: group.id, personId: m.id }} done="Member removed." />
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mb-4 text-sm text-slate-500">No members yet.</p>
        )}
        {canWrite && <PickForm label="Person" button="Add member" field="personId" fixed={{ groupId: group.id }} options={addable} action={addMember} done="Member added." />}
      </Card>
    </>
  );
}
