"use client";
import { useId } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZBundleCreate } from "@/lib/tools/schema";
import type { ServerAction } from "@/components/admin/types";
import { FormStatus } from "./FormStatus";
import { ToolChecklist, toolErrorsOf, type ToolOption } from "./ToolChecklist";

/** Create a named set of tools ("email agent", "file processor") that agents can then be given. */
export function NewBundleForm({ tools, action }: { tools: ToolOption[]; action: ServerAction }) {
  const router = useRouter();
  const id = useId();
  const { errors, notice, setNotice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const input = { name: String(f.get("name") ?? ""), description: String(f.get("description") ?? ""), toolIds: f.getAll("toolIds").map(String) };
    const created = await run<{ id: string; name: string }>(action, input, ZBundleCreate, { toast: (d) => ({ text: `Bundle ${d.name} created.` }) });
    if (!created) return;
    setNotice({ tone: "ok", text: `Bundle ${created.name} created.` });
    form.reset();
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="New bundle">
      <Field label="Name" htmlFor={`${id}-name`} errors={errors.name} hint='For example "email agent" or "file processor".'>
        <Input id={`${id}-name`} name="name" maxLength={80} required aria-invalid={Boolean(errors.name)} aria-describedby={errors.name ? `${id}-name-error` : undefined} />
      </Field>
      <Field label="Description" htmlFor={`${id}-description`} errors={errors.description}>
        <Input id={`${id}-description`} name="description" maxLength={1000} aria-invalid={Boolean(errors.description)} aria-describedby={errors.description ? `${id}-description-error` : undefined} />
      </Field>
      <ToolChecklist idPrefix={id} tools={tools} errors={toolErrorsOf(errors)} />
      <Button type="submit" pending={pending}>
        {pending ? "Creating…" : "Create bundle"}
      </Button>
      <FormStatus notice={notice} />
    </form>
  );
}
