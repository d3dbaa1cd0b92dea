"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { AGENT_SCOPES, MODEL_RULE_LABELS, MODEL_RULE_STATUSES, SCOPE_LABELS, ZModelRuleSet } from "@/lib/model-usage/schema";
import type { ServerAction } from "@/components/admin/types";

export type RuleFormRow = { id: string; scope: "internal" | "external"; pattern: string; status: "allowed" | "weak" | "denied"; note: string };

/** Add a model policy rule, or (with `rule`) change or delete one (deleting asks first). */
export function ModelRuleForm({ rule, setAction, deleteAction, idPrefix }: { rule?: RuleFormRow; setAction: ServerAction; deleteAction?: ServerAction; idPrefix: string }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const id = (name: string) => `${idPrefix}-${name}`;

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(null);
    const form = e.currentTarget;
    const fd = new FormData(form);
    const input = {
      ...(rule ? { id: rule.id } : {}),
      scope: String(fd.get("scope") ?? ""),
      pattern: String(fd.get("pattern") ?? ""),
      status: String(fd.get("status") ?? ""),
      note: String(fd.get("note") ?? ""),
    };
    const res = await run<{ pattern: string }>(setAction, input, ZModelRuleSet, { toast: (d) => ({ text: `Model rule for ${d.pattern} saved.` }) });
    if (!res) return;
    setSaved(`Saved the rule for ${res.pattern}.`);
    if (!rule) form.reset();
    router.refresh();
  }

  async function onDelete() {
    if (!rule || !deleteAction) return;
    const res = await run(deleteAction, { id: rule.id }, undefined, { toast: { text: "Model rule deleted." }, errorToast: true });
    if (res === null) return;
    setConfirmDelete(false);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={rule ? `Model rule ${rule.pattern} (${rule.scope})` : "New model rule"}>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Agents" htmlFor={id("scope")} errors={errors.scope}>
          <Select id={id("scope")} name="scope" defaultValue={rule?.scope ?? "external"} aria-invalid={!!errors.scope}>
            {AGENT_SCOPES.map((s) => (
              <option key={s} value={s}>
                {SCOPE_LABELS[s]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Models" htmlFor={id("pattern")} errors={errors.pattern} hint="provider/model; * matches anything (openai/*).">
          <Input id={id("pattern")} name="pattern" autoComplete="off" defaultValue={rule?.pattern ?? ""} aria-invalid={!!errors.pattern} />
        </Field>
        <Field label="Decision" htmlFor={id("status")} errors={errors.status}>
          <Select id={id("status")} name="status" defaultValue={rule?.status ?? "allowed"} aria-invalid={!!errors.status}>
            {MODEL_RULE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {MODEL_RULE_LABELS[s]}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field label="Note" htmlFor={id("note")} errors={errors.note}>
        <Input id={id("note")} name="note" autoComplete="off" defaultValue={rule?.note ?? ""} aria-invalid={!!errors.note} />
      </Field>
      <FormError text={notice?.tone === "error" ? notice.text : null} />
      {saved && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
          {saved}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : rule ? "Save rule" : "Add rule"}
        </Button>
        {rule && deleteAction && !confirmDelete && (
          <Button variant="ghost" onClick={() => setConfirmDelete(true)}>
            Delete rule…
          </Button>
        )}
        {rule && deleteAction && confirmDelete && (
          <span role="group" aria-label="Confirm deletion" className="flex items-center gap-2 text-sm">
            <span>Delete the rule for {rule.pattern}?</span>
            <Button variant="danger" pending={pending} onClick={onDelete}>
              Delete
            </Button>
            <Button variant="ghost" onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
          </span>
        )}
      </div>
    </form>
  );
}
