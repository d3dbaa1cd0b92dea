import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { teamScopeOf } from "@/lib/teams/scope";
import { listGroups, personFormOptions } from "@/lib/people/queries";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { GroupForm } from "@/components/people/GroupForm";
import { createGroup } from "../actions";

export const metadata: Metadata = { title: "Groups" };

export default async function GroupsPage() {
  const actor = await requireScope("registry:read");
  const canWrite = can(actor.role, "registry:write");
  const [groups, options] = await Promise.all([listGroups(actor), canWrite ? personFormOptions(actor) : null]);
  return (
    <>
      <PageHeader
        title="Groups"
        description={
          <>
            Groups of{" "}
            <Link href="/people" className="text-brand-600 hover:underline">
              people
            </Link>{" "}
            (finance, on-call, contractors): rules and rate limits can name a group instead of each person.
          </>
        }
      />
      {canWrite && options && (
        <div className="mb-4">
          <Card title="New group">
            <GroupForm action={createGroup} teams={options.teams} scopedTeam={teamScopeOf(actor) !== null} />
          </Card>
        </div>
      )}
      {groups.length ? (
        <DataTable
          caption="Groups"
          columns={[
            { id: "name", header: "Group" },
            { id: "description", header: "Description" },
            { id: "team", header: "Team" },
            { id: "members", header: "Members" },
          ]}
          rows={groups.map((g) => ({
            key: g.id,
            sort: { name: g.name, members: g.memberCount },
            cells: {
              name: (
                <Link href={`/people/groups/${g.id}`} className="font-medium text-brand-600 hover:underline">
                  {g.name}
                </Link>
              ),
              description: g.description || "—",
              team: g.team?.name ?? "—",
              members: g.memberCount,
            },
          }))}
        />
      ) : (
        <EmptyState title="No groups yet">
          A group collects people so that one rule can cover them all, e.g. “only finance may make the ledger agent send payments”.{" "}
          {canWrite ? "Create one above, then add people from its page or theirs." : ""}
        </EmptyState>
      )}
    </>
  );
}
