import Link from "next/link";
import type { ListView } from "@/lib/list";
import { ListPage } from "@/components/ui/ListPage";
import { Badge } from "@/components/ui/Badge";
import { PageHeader } from "@/components/ui/Card";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SenderIdentityHelp, senderLabel } from "./SenderIdentity";

export type PersonListRow = {
  id: string;
  displayName: string;
  email: string | null;
  disabledAt: Date | null;
  team: { name: string } | null;
  identities: { id: string; channel: string; accountId: string; senderId: string }[];
  groups: { id: string; name: string }[];
  lastCallAt: Date | null;
};

/** The directory: the people whose messages make agents act, searchable by name, email or sender id. */
export function PeopleList({ rows, view, groups, canWrite }: { rows: PersonListRow[]; view: ListView; groups: { id: string; name: string }[]; canWrite: boolean }) {
  return (
    <>
      <PageHeader
        title="People"
        description="Who is behind the calls: each person, the sender identities gateways report for them, and their groups. The explorer shows them as “who asked”."
        actions={
          <span className="flex items-center gap-4">
            <Link href="/people/groups" className="text-sm text-brand-600 hover:underline">
              Groups
            </Link>
            {canWrite && (
              <Link href="/people/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
                Add a person
              </Link>
            )}
          </span>
        }
      />
      <ListPage
        caption="People"
        noun="people"
        basePath="/people"
        view={view}
        csvPath="/api/v1/people"
        searchPlaceholder="name, email, sender id"
        columns={[
          { id: "displayName", header: "Name", sortable: true },
          { id: "email", header: "Email", sortable: true },
          { id: "team", header: "Team" },
          { id: "identities", header: "Identities" },
          { id: "groups", header: "Groups" },
          { id: "lastCall", header: "Last call" },
        ]}
        filters={[
          {
            id: "status",
            label: "Status",
            options: [
              { value: "active", label: "active" },
              { value: "disabled", label: "disabled" },
            ],
          },
          { id: "group", label: "Group", options: groups.map((g) => ({ value: g.id, label: g.name })) },
        ]}
        rows={rows.map((p) => ({
          key: p.id,
          cells: {
            displayName: (
              <span className="flex items-center gap-2">
                <Link href={`/people/${p.id}`} className="font-medium text-brand-600 hover:underline">
                  {p.displayName}
                </Link>
                {p.disabledAt && <Badge tone="red">disabled</Badge>}
              </span>
            ),
            email: p.email ?? "—",
            team: p.team?.name ?? "—",
            identities: <span title={p.identities.map(senderLabel).join("\n")}>{p.identities.length ? p.identities.length : <span className="text-slate-500">none</span>}</span>,
            groups: p.groups.length ? (
              <span className="flex flex-wrap gap-1">
                {p.groups.map((g) => (
                  <Badge key={g.id}>{g.name}</Badge>
                ))}
              </span>
            ) : (
              "—"
            ),
            lastCall: p.lastCallAt ? <RelativeTime at={p.lastCallAt} /> : <span className="text-slate-500">never</span>,
          },
        }))}
        empty={{
          title: "No people in the directory",
          body: (
            <>
              Add the people whose messages make your agents act, with their sender identities. <SenderIdentityHelp />
            </>
          ),
          action: canWrite ? { href: "/people/new", label: "Add the first person" } : null,
        }}
      />
    </>
  );
}
