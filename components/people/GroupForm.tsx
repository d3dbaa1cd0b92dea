"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";
import { ZGroupCreate } from "@/lib/people/schema";

/** Create a group of people (the subject of per-group rules). */
export function GroupForm({ action, teams, scopedTeam }: { action: ServerAction; teams: { id: string; name: string }[]; scopedTeam: boolean }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const input = { name: String(f.get("name") ?? ""), description: String(f.get("description") ?? ""), teamId: String(f.get("teamId") ?? "") };
    const g = await run<{ id: string; name: string }>(action, input, ZGroupCreate, { toast: (x) => ({ text: `Group ${x.name} created.`, href: `/people/groups/${x.id}`, linkLabel: "Open it" }) });
    if (!g) return;
    form.reset();
    router.refresh();
  }
  return (
    <form onSubmit={onSubmit} noValidate className="grid items-end gap-3 sm:grid-cols-4" aria-label="Create a group">
      <Field label="Name" htmlFor="group-name" errors={errors.name}>
        <Input id="group-name" name="name" placeholder="finance" autoComplete="off" />
      </Field>
      <Field label="Description" htmlFor="group-description" errors={errors.description}>
        <Input id="group-description" name="description" autoComplete="off" />
      </Field>
      <Field label="Team" htmlFor="group-team" errors={errors.teamId}>
        <Select id="group-team" name="teamId" defaultValue={scopedTeam ? teams[0]?.id : ""}>
          {!scopedTeam && <option value="">No team</option>}
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </Select>
      </Field>
      <div>
        <Button type="submit" pending={pending}>
          Create group
        </Button>
      </div>
      {notice?.tone === "error" && (
        <p role="alert" className="text-sm text-red-600 sm:col-span-4">
          {notice.text}
        </p>
      )}
    </form>
  );
}
