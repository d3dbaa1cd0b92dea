"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Select } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";

/** Pick one of `options` and run the action with it under `field` plus `fixed` (add a member, join a group). */
export function PickForm({
  label,
  button,
  field,
  fixed,
  options,
  action,
  done,
}: {
  label: string;
  button: string;
  field: string;
  fixed: Record<string, string>;
  options: { id: string; name: string }[];
  action: ServerAction;
  done: string;
}) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  if (!options.length) return null;
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const ok = await run(action, { ...fixed, [field]: String(f.get(field) ?? "") }, undefined, { toast: { text: done } });
    if (ok) router.refresh();
  }
  const id = `pick-${field}`;
  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-end gap-2" aria-label={button}>
      <Field label={label} htmlFor={id} errors={errors[field]}>
        <Select id={id} name={field}>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" pending={pending}>
        {button}
      </Button>
      {notice?.tone === "error" && (
        <p role="alert" className="w-full text-sm text-red-600">
          {notice.text}
        </p>
      )}
    </form>
  );
}
