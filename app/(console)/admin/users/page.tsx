import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listUsers } from "@/lib/users/queries";
import { teamOptions } from "@/lib/teams/queries";
import { PageHeader, Card } from "@/components/ui/Card";
import { UsersTable } from "@/components/admin/UsersTable";
import { CreateUserForm } from "@/components/admin/CreateUserForm";
import { ROLE_SCOPES, ROLES, ROLE_LABELS } from "@/lib/auth/roles";
import { assignUserTeam, createUser, resetUserPassword, setUserDisabled, setUserRole } from "./actions";

export const metadata: Metadata = { title: "Admin · Users" };

export default async function UsersPage() {
  const actor = await requireScope("users:manage");
  const [users, teams] = await Promise.all([listUsers(), teamOptions()]);
  return (
    <>
      <PageHeader
        title="Users & roles"
        description="Who can sign in to Warden, what each role may do and which team a user is limited to (security leads, operators and managers with a team see only its agents, gateways and calls; see Teams). Disabling a user or resetting a password ends their open sessions on their next request."
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <UsersTable
          users={users.map((u) => ({
            ...u,
            disabledAt: u.disabledAt?.toISOString() ?? null,
            lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
            createdAt: u.createdAt.toISOString(),
            sso: Boolean(u.oidcSubject),
          }))}
          selfId={actor.userId ?? ""}
          teams={teams}
          actions={{ setUserRole, setUserDisabled, resetUserPassword, assignTeam: assignUserTeam }}
        />
        <div className="space-y-6">
          <Card title="Add a user">
            <CreateUserForm action={createUser} />
          </Card>
          <Card title="Roles">
            <dl className="space-y-2 text-sm">
              {ROLES.map((r) => (
                <div key={r}>
                  <dt className="font-medium">{ROLE_LABELS[r]}</dt>
                  <dd className="text-xs text-slate-500">{ROLE_SCOPES[r].join(", ")}</dd>
                </div>
              ))}
            </dl>
          </Card>
        </div>
      </div>
    </>
  );
}
