"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { ROLES, ROLE_LABELS } from "@/lib/auth/roles";
import { ZUserCreate } from "@/lib/users/schema";
import type { ServerAction } from "./types";

export function CreateUserForm({ action }: { action: ServerAction }) {
  const { errors, notice, setNotice, pending, run } = useActionForm();
  const [oneTime, setOneTime] = useState<string | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = Object.fromEntries(new FormData(form));
    const input = { ...data, password: data.password ? String(data.password) : undefined };
    // The previous one-time password stays visible until the new input passes local validation.
    const send: ServerAction = (raw) => {
      setOneTime(null);
      return action(raw);
    };
    const d = await run<{ user: { email: string }; oneTimePassword: string | null }>(send, input, ZUserCreate, { toast: (d) => ({ text: `User ${d.user.email} created.` }) });
    if (!d) return;
    setNotice({ tone: "ok", text: `Created ${d.user.email}.` });
    setOneTime(d.oneTimePassword);
    form.reset();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" noValidate aria-label="Add a user">
      <Field label="Email" htmlFor="new-email" errors={errors.email}>
        <Input id="new-email" name="email" type="email" aria-invalid={Boolean(errors.email)} required />
      </Field>
      <Field label="Name" htmlFor="new-name" errors={errors.name}>
        <Input id="new-name" name="name" aria-invalid={Boolean(errors.name)} required />
      </Field>
      <Field label="Role" htmlFor="new-role" errors={errors.role}>
        <Select id="new-role" name="role" defaultValue="manager">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Password (optional)" htmlFor="new-password" errors={errors.password} hint="Leave empty to invite: a one-time password is generated and shown once.">
        <Input id="new-password" name="password" type="password" autoComplete="new-password" aria-invalid={Boolean(errors.password)} />
      </Field>
      <Button type="submit" pending={pending}>
        {pending ? "Creating…" : "Create user"}
      </Button>
      <div aria-live="polite">
        {notice && <p className="text-sm">{notice.text}</p>}
        {oneTime && (
          <p className="mt-2 rounded-md bg-amber-50 p-2 text-sm dark:bg-amber-950">
            One-time password (shown once, share it securely):{" "}
            <code data-testid="one-time-password" className="select-all font-mono">
              {oneTime}
            </code>
          </p>
        )}
      </div>
    </form>
  );
}
