"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { ROLES, ROLE_LABELS } from "@/lib/auth/roles";
import { ZUserCreate } from "@/lib/users/schema";
import { fieldErrorsOf } from "@/lib/validation";
import type { ServerAction } from "./types";

export function CreateUserForm({ action }: { action: ServerAction }) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [oneTime, setOneTime] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = Object.fromEntries(new FormData(form));
    const input = { ...data, password: data.password ? String(data.password) : undefined };
    // Same zod schema as the server: instant field errors, the server still decides.
    const local = ZUserCreate.safeParse(input);
    if (!local.success) return setErrors(fieldErrorsOf(local.error));
    setPending(true);
    setErrors({});
    setMessage(null);
    setOneTime(null);
    const res = await action(input);
    setPending(false);
    if (!res.ok) {
      setErrors(res.fieldErrors ?? {});
      setMessage(res.error);
      return;
    }
    const d = res.data as { user: { email: string }; oneTimePassword: string | null };
    setMessage(`Created ${d.user.email}.`);
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
          {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
        </Select>
      </Field>
      <Field label="Password (optional)" htmlFor="new-password" errors={errors.password} hint="Leave empty to invite: a one-time password is generated and shown once.">
        <Input id="new-password" name="password" type="password" autoComplete="new-password" aria-invalid={Boolean(errors.password)} />
      </Field>
      <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create user"}</Button>
      <div aria-live="polite">
        {message && <p className="text-sm">{message}</p>}
        {oneTime && (
          <p className="mt-2 rounded-md bg-amber-50 p-2 text-sm dark:bg-amber-950">
            One-time password (shown once, share it securely): <code data-testid="one-time-password" className="select-all font-mono">{oneTime}</code>
          </p>
        )}
      </div>
    </form>
  );
}
