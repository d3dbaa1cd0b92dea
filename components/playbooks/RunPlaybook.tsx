"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { textareaClass, type ServerAction } from "./types";

type Automated = { step: string; label: string; target: string };

/**
 * Run a playbook now, by hand: says what will happen (an incident, and which automated actions —
 * kill switches among them — run at once), asks for the reason, then opens the new incident.
 */
export function RunPlaybook({ id, name, updatedAt, automated, action }: { id: string; name: string; updatedAt: string; automated: Automated[]; action: ServerAction }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string[] | undefined>();
  const [pending, setPending] = useState(false);
  if (!open) return <Button variant="danger" onClick={() => setOpen(true)}>Run now…</Button>;

  async function onConfirm() {
    setPending(true);
    setError(null);
    setFieldError(undefined);
    const res = await action({ id, reason, expectedUpdatedAt: updatedAt });
    if (!res.ok) {
      setPending(false);
      setFieldError(res.fieldErrors?.reason);
      // Edited meanwhile: show the new steps (the panel stays open with the reason).
      if (res.code === "conflict") router.refresh();
      return setError(res.fieldErrors?.reason ? null : res.error);
    }
    const { incidentId } = res.data as { incidentId: string };
    router.push(`/incidents/${incidentId}`);
    router.refresh();
  }

  return (
    <div className="space-y-3 rounded-md border border-red-200 p-3 dark:border-red-900" role="group" aria-label="Run playbook">
      <p className="text-sm">
        Running <strong>{name}</strong> opens a new incident now
        {automated.length === 0 ? " that tracks its steps. It has no automated actions: nothing else changes." : <> and runs {automated.length === 1 ? "its automated action" : `its ${automated.length} automated actions`} at once, in run order:</>}
      </p>
      {automated.length > 0 && (
        <ol className="list-decimal space-y-1 pl-5 text-sm">
          {automated.map((a, i) => (
            <li key={`${a.step}-${i}`}>
              {a.label}: <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">{a.target}</code> <span className="text-slate-500">({a.step})</span>
            </li>
          ))}
        </ol>
      )}
      {automated.length > 0 && <p className="text-xs text-slate-600 dark:text-slate-400">Kill switches reach the connected gateways within seconds; release them from the incident or Containment.</p>}
      <Field label="Reason (recorded on the incident and in the audit trail)" htmlFor="run-reason" errors={fieldError}>
        <textarea id="run-reason" className={textareaClass} rows={2} value={reason} maxLength={1000} aria-invalid={fieldError ? true : undefined} onChange={(e) => setReason(e.target.value)} placeholder="e.g. Vendor called: their token was leaked" />
      </Field>
      <FormError text={error} />
      <div className="flex gap-2">
        <Button variant="danger" disabled={pending || reason.trim().length < 5} onClick={onConfirm}>{pending ? "Running…" : "Confirm: run playbook"}</Button>
        <Button variant="ghost" onClick={() => { setOpen(false); setReason(""); setError(null); setFieldError(undefined); }}>Cancel</Button>
      </div>
    </div>
  );
}
