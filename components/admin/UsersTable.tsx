"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Select } from "@/components/ui/Field";
import { useToast } from "@/components/ui/Toaster";
import { fmtDate } from "@/components/ui/format";
import { ROLES, ROLE_LABELS } from "@/lib/auth/roles";
import type { ServerAction } from "./types";

type U = { id: string; email: string; name: string; role: string; teamId: string | null; disabledAt: string | null; lastLoginAt: string | null; createdAt: string; sso: boolean };

export function UsersTable({
  users,
  selfId,
  teams = [],
  actions,
}: {
  users: U[];
  selfId: string;
  teams?: { id: string; name: string }[];
  actions: { setUserRole: ServerAction; setUserDisabled: ServerAction; resetUserPassword: ServerAction; assignTeam?: ServerAction };
}) {
  const router = useRouter();
  const toast = useToast();
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string; secret?: string } | null>(null);
  // Optimistic: a role or enabled state shows at once; on failure it rolls back with an error toast.
  const [optimistic, setOptimistic] = useState<Record<string, Partial<Pick<U, "role" | "disabledAt" | "teamId">>>>({});
  // The server's rows replace the optimistic overlay as soon as they arrive.
  const [seen, setSeen] = useState(users);
  if (seen !== users) {
    setSeen(users);
    setOptimistic({});
  }

  async function call(action: ServerAction, input: unknown, done: string, optimisticFor?: { id: string; patch: Partial<Pick<U, "role" | "disabledAt" | "teamId">> }) {
    if (optimisticFor) setOptimistic((o) => ({ ...o, [optimisticFor.id]: { ...o[optimisticFor.id], ...optimisticFor.patch } }));
    const rollback = () => optimisticFor && setOptimistic((o) => ({ ...o, [optimisticFor.id]: {} }));
    try {
      const res = await action(input);
      if (!res.ok) {
        rollback();
        toast({ tone: "error", text: res.error });
        return setNotice({ tone: "error", text: res.error });
      }
      const secret = (res.data as { oneTimePassword?: string | null })?.oneTimePassword ?? undefined;
      setNotice({ tone: "ok", text: done, secret });
      toast({ text: done });
      router.refresh();
    } catch {
      rollback();
      toast({ tone: "error", text: "Warden could not be reached; nothing changed." });
    }
  }

  return (
    <div className="space-y-3">
      <div aria-live="polite">
        {notice && (
          <div
            role={notice.tone === "error" ? "alert" : "status"}
            className={`rounded-md p-3 text-sm ${notice.tone === "error" ? "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300" : "bg-emerald-50 dark:bg-emerald-950"}`}
          >
            {notice.text}
            {notice.secret && (
              <>
                {" "}
                New one-time password (shown once):{" "}
                <code data-testid="one-time-password" className="select-all font-mono">
                  {notice.secret}
                </code>
              </>
            )}
          </div>
        )}
      </div>
      <DataTable
        caption="Users"
        columns={[
          { id: "user", header: "User" },
          { id: "role", header: "Role" },
          ...(actions.assignTeam ? [{ id: "team", header: "Team" }] : []),
          { id: "status", header: "Status" },
          { id: "last", header: "Last sign-in" },
          { id: "actions", header: "Actions" },
        ]}
        rows={users
          .map((row) => ({ ...row, ...optimistic[row.id] }))
          .map((u) => ({
            key: u.id,
            cells: {
              user: (
                <div>
                  <p className="font-medium">{u.name}</p>
                  <p className="text-xs text-slate-500">
                    {u.email}
                    {u.sso ? " · SSO" : ""}
                  </p>
                </div>
              ),
              role: (
                <label>
                  <span className="sr-only">Role of {u.email}</span>
                  <Select
                    className="min-w-40"
                    value={u.role}
                    onChange={(e) => call(actions.setUserRole, { id: u.id, role: e.target.value }, `Role of ${u.email} set to ${e.target.value}.`, { id: u.id, patch: { role: e.target.value } })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </Select>
                </label>
              ),
              team: actions.assignTeam ? (
                <label>
                  <span className="sr-only">Team of {u.email}</span>
                  <Select
                    className="min-w-36"
                    value={u.teamId ?? ""}
                    onChange={(e) => {
                      const teamId = e.target.value || null;
                      const name = teams.find((t) => t.id === teamId)?.name;
                      void call(actions.assignTeam!, { kind: "user", id: u.id, teamId }, name ? `${u.email} is now in team ${name}.` : `${u.email} is in no team (fleet-wide by role).`, {
                        id: u.id,
                        patch: { teamId },
                      });
                    }}
                  >
                    <option value="">no team (fleet-wide)</option>
                    {teams.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name}
                      </option>
                    ))}
                  </Select>
                </label>
              ) : null,
              status: u.disabledAt ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>,
              last: u.lastLoginAt ? fmtDate(u.lastLoginAt) : "never",
              actions: (
                <div className="flex flex-wrap gap-2">
                  {u.id !== selfId && (
                    <Button
                      variant={u.disabledAt ? "secondary" : "danger"}
                      onClick={() => {
                        if (!u.disabledAt && !window.confirm(`Disable ${u.email}? Their open sessions and API tokens stop working immediately.`)) return;
                        void call(actions.setUserDisabled, { id: u.id, disabled: !u.disabledAt }, `${u.email} ${u.disabledAt ? "enabled" : "disabled"}.`, {
                          id: u.id,
                          patch: { disabledAt: u.disabledAt ? null : new Date().toISOString() },
                        });
                      }}
                    >
                      {u.disabledAt ? "Enable" : "Disable"}
                    </Button>
                  )}
                  <Button
                    variant="secondary"
                    onClick={() => {
                      if (!window.confirm(`Reset the password of ${u.email}? A one-time password is generated and their sessions end.`)) return;
                      void call(actions.resetUserPassword, { id: u.id }, `Password of ${u.email} reset.`);
                    }}
                  >
                    Reset password
                  </Button>
                </div>
              ),
            },
            sort: { user: u.email, role: u.role, status: u.disabledAt ? 1 : 0, last: u.lastLoginAt ?? "" },
          }))}
      />
    </div>
  );
}
