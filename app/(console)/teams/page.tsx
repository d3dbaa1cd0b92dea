import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { listTeams } from "@/lib/teams/queries";
import { Card, EmptyState, PageHeader } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { TeamForm } from "@/components/teams/TeamForm";
import { createTeam } from "./actions";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage() {
  await requireScope("users:manage");
  const teams = await listTeams();
  return (
    <>
      <PageHeader
        title="Teams"
        description="Teams are isolation boundaries: a security lead, operator or manager in a team sees and acts only on the team's agents, gateways, grants and tool calls (their API tokens too). Admins and auditors see the whole fleet. Put users in a team under Admin."
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <DataTable
          caption="Teams"
          columns={[
            { id: "name", header: "Team" },
            { id: "agents", header: "Agents" },
            { id: "gateways", header: "Gateways" },
            { id: "users", header: "Users" },
          ]}
          empty={<EmptyState title="No teams yet">Create one to limit security leads, operators and managers to their own agents.</EmptyState>}
          rows={teams.map((t) => ({
            key: t.id,
            cells: {
              name: (
                <div>
                  <Link className="font-medium text-brand-600 hover:underline" href={`/teams/${t.id}`}>
                    {t.name}
                  </Link>
                  {t.description && <p className="text-xs text-slate-500">{t.description}</p>}
                </div>
              ),
              agents: t._count.agents,
              gateways: t._count.gateways,
              users: t._count.users,
            },
            sort: { name: t.name, agents: t._count.agents, gateways: t._count.gateways, users: t._count.users },
          }))}
        />
        <Card title="Create a team">
          <TeamForm action={createTeam} />
        </Card>
      </div>
    </>
  );
}
