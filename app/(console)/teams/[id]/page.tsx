import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { getTeam, teamAssignmentOptions } from "@/lib/teams/queries";
import { Badge } from "@/components/ui/Badge";
import { Card, PageHeader } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { TeamForm } from "@/components/teams/TeamForm";
import { AddToTeam, DeleteTeam, RemoveFromTeam } from "@/components/teams/TeamControls";
import { assignTeam, deleteTeam, updateTeam } from "../actions";

export const metadata: Metadata = { title: "Team" };

export default async function TeamPage({ params }: { params: Promise<{ id: string }> }) {
  await requireScope("users:manage");
  const { id } = await params;
  const team = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? await getTeam(id) : null;
  if (!team) notFound();
  const options = await teamAssignmentOptions(team.id);
  const empty = !team.agents.length && !team.gateways.length && !team.users.length;
  return (
    <>
      <PageHeader
        title={`Team ${team.name}`}
        description={team.description || "Its users see and act only on the agents, gateways and tool calls listed here."}
        actions={
          <Link href="/teams" className="text-sm text-brand-600 hover:underline">
            All teams
          </Link>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="space-y-6">
          <Card title={`Agents (${team.agents.length})`}>
            <DataTable
              caption="Agents of the team"
              columns={[
                { id: "name", header: "Agent" },
                { id: "status", header: "Status" },
                { id: "actions", header: "" },
              ]}
              empty={<p className="text-sm text-slate-500">No agents in this team.</p>}
              rows={team.agents.map((a) => ({
                key: a.id,
                cells: {
                  name: (
                    <Link className="text-brand-600 hover:underline" href={`/agents/${a.id}`}>
                      {a.name}
                    </Link>
                  ),
                  status: <Badge tone={a.status === "active" ? "green" : "red"}>{a.status}</Badge>,
                  actions: <RemoveFromTeam kind="agent" id={a.id} name={a.name} action={assignTeam} />,
                },
                sort: { name: a.name, status: a.status },
              }))}
            />
            <div className="mt-3">
              <AddToTeam kind="agent" teamId={team.id} teamName={team.name} options={options.agents} action={assignTeam} />
            </div>
          </Card>
          <Card title={`Gateways (${team.gateways.length})`}>
            <DataTable
              caption="Gateways of the team"
              columns={[
                { id: "name", header: "Gateway" },
                { id: "env", header: "Environment" },
                { id: "actions", header: "" },
              ]}
              empty={<p className="text-sm text-slate-500">No gateways in this team.</p>}
              rows={team.gateways.map((g) => ({
                key: g.id,
                cells: {
                  name: (
                    <Link className="text-brand-600 hover:underline" href={`/gateways/${g.id}`}>
                      {g.name}
                    </Link>
                  ),
                  env: g.environment,
                  actions: <RemoveFromTeam kind="gateway" id={g.id} name={g.name} action={assignTeam} />,
                },
                sort: { name: g.name, env: g.environment },
              }))}
            />
            <div className="mt-3">
              <AddToTeam kind="gateway" teamId={team.id} teamName={team.name} options={options.gateways} action={assignTeam} />
            </div>
          </Card>
          <Card title={`Users (${team.users.length})`}>
            <DataTable
              caption="Users of the team"
              columns={[
                { id: "user", header: "User" },
                { id: "role", header: "Role" },
                { id: "actions", header: "" },
              ]}
              empty={
                <p className="text-sm text-slate-500">
                  No users in this team. Choose a user&apos;s team under <Link href="/admin/users">Admin</Link>.
                </p>
              }
              rows={team.users.map((u) => ({
                key: u.id,
                cells: {
                  user: (
                    <span>
                      {u.name} <span className="text-xs text-slate-500">{u.email}</span>
                      {u.disabledAt && <Badge tone="red">disabled</Badge>}
                    </span>
                  ),
                  role: `${ROLE_LABELS[u.role]}${u.role === "admin" || u.role === "auditor" ? " (fleet-wide by role)" : ""}`,
                  actions: <RemoveFromTeam kind="user" id={u.id} name={u.email} action={assignTeam} />,
                },
                sort: { user: u.email, role: u.role },
              }))}
            />
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Rename">
            <TeamForm action={updateTeam} team={{ id: team.id, name: team.name, description: team.description }} />
          </Card>
          <Card title="Delete">
            <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
              {empty ? "Nothing belongs to this team." : "Move its agents, gateways and users to another team (or out of it) first: a team that still holds them cannot be deleted."}
            </p>
            <DeleteTeam id={team.id} name={team.name} action={deleteTeam} />
          </Card>
        </div>
      </div>
    </>
  );
}
