import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getPerson, listGroups } from "@/lib/people/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { DecisionCell } from "@/components/tool-calls/Decision";
import { ConfirmAction } from "@/components/people/ConfirmAction";
import { IdentityForm } from "@/components/people/IdentityForm";
import { PickForm } from "@/components/people/PickForm";
import { SenderIdentityHelp, senderLabel } from "@/components/people/SenderIdentity";
import { addIdentity, addMember, disablePerson, enablePerson, removeIdentity, removeMember } from "../actions";

export const metadata: Metadata = { title: "Person" };

export default async function PersonPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("registry:read");
  const { id } = await params;
  const person = await getPerson(actor, id);
  if (!person) notFound();
  const canWrite = can(actor.role, "registry:write");
  const mayCalls = can(actor.role, "tool_calls:read");
  const groups = canWrite ? await listGroups(actor) : [];
  const joinable = groups.filter((g) => !person.groups.some((m) => m.id === g.id)).map((g) => ({ id: g.id, name: g.name }));
  const explorer = `/tool-calls?person=${person.id}&range=30d`;
  return (
    <>
      <PageHeader
        title={person.displayName}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {person.disabledAt ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
            {person.email && <span>{person.email}</span>}
            <span>Team: {person.team?.name ?? "none"}</span>
            {person.user && <span>Console user: {person.user.email}</span>}
          </span>
        }
        actions={
          canWrite ? (
            person.disabledAt ? (
              <ConfirmAction label="Enable" variant="secondary" question="Map this person's senders to them again?" action={enablePerson} payload={{ id: person.id }} done="Person enabled." />
            ) : (
              <ConfirmAction
                label="Disable"
                question="Their calls will show as unmapped and per-person rules stop matching them. Disable?"
                action={disablePerson}
                payload={{ id: person.id }}
                done="Person disabled."
              />
            )
          ) : undefined
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Sender identities">
          {person.identities.length ? (
            <ul className="mb-4 divide-y divide-slate-100 dark:divide-slate-800" aria-label="Sender identities">
              {person.identities.map((i) => (
                <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                  <code>{senderLabel(i)}</code>
                  {canWrite && (
                    <ConfirmAction label="Remove" question={`Unlink ${senderLabel(i)}?`} action={removeIdentity} payload={{ personId: person.id, identityId: i.id }} done="Sender identity removed." />
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState title="No sender identities">
              <SenderIdentityHelp />
            </EmptyState>
          )}
          {canWrite && <IdentityForm personId={person.id} action={addIdentity} />}
        </Card>
        <Card title="Groups">
          {person.groups.length ? (
            <ul className="mb-4 divide-y divide-slate-100 dark:divide-slate-800" aria-label="Groups">
              {person.groups.map((g) => (
                <li key={g.id} className="flex items-center justify-between gap-2 py-2 text-sm">
                  <Link href={`/people/groups/${g.id}`} className="text-brand-600 hover:underline">
                    {g.name}
                  </Link>
                  {canWrite && (
                    <ConfirmAction label="Leave" question={`Remove from ${g.name}?`} action={removeMember} payload={{ groupId: g.id, personId: person.id }} done="Removed from the group." />
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mb-4 text-sm text-slate-500">Not in any group. Groups are the subjects of per-group rules (“only finance may…”).</p>
          )}
          {canWrite && <PickForm label="Add to group" button="Add to group" field="groupId" fixed={{ personId: person.id }} options={joinable} action={addMember} done="Added to the group." />}
        </Card>
      </div>
      {mayCalls && (
        <div className="mt-4">
          <Card
            title="Recent calls this person asked for"
            actions={
              <Link href={explorer} className="text-sm text-brand-600 hover:underline">
                Open in the explorer
              </Link>
            }
          >
            <DataTable
              caption="Recent calls this person asked for"
              columns={[
                { id: "at", header: "When" },
                { id: "agent", header: "Agent" },
                { id: "chain", header: "Through" },
                { id: "tool", header: "Tool" },
                { id: "decision", header: "Decision" },
              ]}
              rows={person.recentCalls.map((c) => ({
                key: `${c.id}-${c.occurredAt.toISOString()}`,
                cells: {
                  at: <RelativeTime at={c.occurredAt} />,
                  agent: c.agentId ? (
                    <Link href={`/agents/${c.agentId}`} className="text-brand-600 hover:underline">
                      {c.agentName}
                    </Link>
                  ) : (
                    c.agentName
                  ),
                  chain: c.chain.length ? c.chain.join(" → ") : "direct",
                  tool: c.toolName,
                  decision: <DecisionCell decision={c.decision} policyDecision={null} blockReason={null} small />,
                },
              }))}
              empty={<p className="text-sm text-slate-500">No calls yet from this person&apos;s sender identities.</p>}
            />
          </Card>
        </div>
      )}
    </>
  );
}
