"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";
import { ZPersonCreate } from "@/lib/people/schema";

/** Add a person, optionally with their first sender identity. */
export function PersonForm({ action, teams, users, scopedTeam }: { action: ServerAction; teams: { id: string; name: string }[]; users: { id: string; email: string }[]; scopedTeam: boolean }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? "");
    const identity = s("channel").trim() || s("senderId").trim() ? [{ channel: s("channel"), accountId: s("accountId"), senderId: s("senderId") }] : [];
    const input = { displayName: s("displayName"), email: s("email"), teamId: s("teamId"), userId: s("userId"), identities: identity };
    const created = await run<{ id: string; displayName: string }>(action, input, ZPersonCreate, {
      toast: (p) => ({ text: `${p.displayName} added to the directory.` }),
    });
    if (created) router.push(`/people/${created.id}`);
  }
  const idErr = (k: string) => errors[`identities.0.${k}`] ?? (k === "senderId" ? errors.senderId : undefined);
  return (
    <form onSubmit={onSubmit} noValidate className="max-w-xl space-y-4" aria-label="Add a person">
      <Field label="Name" htmlFor="person-name" errors={errors.displayName}>
        <Input id="person-name" name="displayName" autoComplete="off" />
      </Field>
      <Field label="Email (optional)" htmlFor="person-email" errors={errors.email}>
        <Input id="person-email" name="email" type="email" autoComplete="off" />
      </Field>
      <Field label="Team" htmlFor="person-team" errors={errors.teamId} hint={scopedTeam ? "People you add are in your team." : undefined}>
        <Select id="person-team" name="teamId" defaultValue={scopedTeam ? teams[0]?.id : ""}>
          {!scopedTeam && <option value="">No team</option>}
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Console user (optional)" htmlFor="person-user" errors={errors.userId} hint="When this person also signs in to Warden.">
        <Select id="person-user" name="userId" defaultValue="">
          <option value="">None</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
        </Select>
      </Field>
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-800">
        <legend className="px-1 text-sm font-medium">First sender identity (optional)</legend>
        <p className="text-xs text-slate-500">Channel, account and sender id as OpenClaw reports them, e.g. telegram / default / 123456.</p>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label="Channel" htmlFor="person-channel" errors={idErr("channel")}>
            <Input id="person-channel" name="channel" placeholder="telegram" autoComplete="off" />
          </Field>
          <Field label="Account" htmlFor="person-account" errors={idErr("accountId")}>
            <Input id="person-account" name="accountId" placeholder="default" autoComplete="off" />
          </Field>
          <Field label="Sender id" htmlFor="person-sender" errors={idErr("senderId")}>
            <Input id="person-sender" name="senderId" placeholder="123456" autoComplete="off" />
          </Field>
        </div>
      </fieldset>
      <Button type="submit" pending={pending}>
        Add person
      </Button>
      {notice?.tone === "error" && (
        <p role="alert" className="text-sm text-red-600">
          {notice.text}
        </p>
      )}
    </form>
  );
}
