"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZTeamCreate, ZTeamUpdate } from "@/lib/teams/schema";
import type { ServerAction } from "@/components/admin/types";

/** Create a team, or rename one (with `team`). */
export function TeamForm({ action, team }: { action: ServerAction; team?: { id: string; name: string; description: string } }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const input = { ...(team ? { id: team.id } : {}), name: String(f.get("name") ?? ""), description: String(f.get("description") ?? "") };
    const d = await run<{ id: string; name: string }>(action, input, team ? ZTeamUpdate : ZTeamCreate, {
      toast: (t) => (team ? { text: `Team ${t.name} saved.` } : { text: `Team ${t.name} created.`, href: `/teams/${t.id}`, linkLabel: "Open team" }),
    });
    if (!d) return;
    if (!team) form.reset();
    router.refresh();
  }

  const id = team ? "team-edit" : "team-new";
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={team ? "Rename team" : "Create a team"}>
      <Field label="Name" htmlFor={`${id}-name`} errors={errors.name}>
        <Input id={`${id}-name`} name="name" defaultValue={team?.name} aria-invalid={Boolean(errors.name)} required />
      </Field>
      <Field label="Description" htmlFor={`${id}-description`} errors={errors.description}>
        <Input id={`${id}-description`} name="description" defaultValue={team?.description} />
      </Field>
      <Button type="submit" pending={pending}>
        {pending ? "Saving…" : team ? "Save" : "Create team"}
      </Button>
      <div aria-live="polite">{notice && <p className={`text-sm ${notice.tone === "error" ? "text-red-700 dark:text-red-300" : ""}`}>{notice.text}</p>}</div>
    </form>
  );
}
