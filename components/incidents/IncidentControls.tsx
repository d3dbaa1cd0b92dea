"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { Notice } from "@/components/integrations/Notice";
import type { ServerAction } from "@/components/integrations/types";
import { SEVERITIES, STATUS_TRANSITIONS, ZIncidentUpdate, type IncidentStatusName } from "@/lib/incidents/schema";

const STATUS_LABEL: Record<IncidentStatusName, string> = { open: "open", contained: "contained", resolved: "resolved", closed: "closed" };

/**
 * Status, severity and owner of an incident. Only the allowed next statuses are offered; only
 * changed fields are sent; closing asks for confirmation (a closed incident only takes notes and
 * its post-mortem).
 */
export function IncidentControls({
  id,
  status,
  severity,
  ownerId,
  owners,
  action,
}: {
  id: string;
  status: IncidentStatusName;
  severity: string;
  ownerId: string | null;
  owners: { id: string; name: string; email: string }[];
  action: ServerAction;
}) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();
  const [next, setNext] = useState({ status: status as string, severity, ownerId: ownerId ?? "" });
  const closed = status === "closed";

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const changes: Record<string, string | null> = {};
    if (next.status !== status) changes.status = next.status;
    if (next.severity !== severity) changes.severity = next.severity;
    if (next.ownerId !== (ownerId ?? "")) changes.ownerId = next.ownerId || null;
    if (Object.keys(changes).length === 0) return setNotice({ tone: "ok", text: "Nothing changed." });
    if (changes.status === "closed" && !window.confirm("Close this incident? Closed is final: status, severity and owner can no longer change (notes and the post-mortem still can).")) return;
    const saved = await run(action, { id, ...changes }, ZIncidentUpdate, {
      toast: {
        text: `Incident updated: ${
          Object.entries(changes)
            .map(([k, v]) => `${k} ${String(v).replace(/_/g, " ")}`)
            .join(", ") || "saved"
        }.`,
      },
    });
    if (!saved) return;
    setNotice({ tone: "ok", text: "Saved." });
    router.refresh();
  }

  if (closed) return <p className="text-sm text-slate-600 dark:text-slate-400">This incident is closed. Notes and the post-mortem can still be added.</p>;
  return (
    <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-3" noValidate aria-label="Incident status, severity and owner">
      <Field label="Status" htmlFor="incident-status" errors={errors.status}>
        <Select id="incident-status" value={next.status} onChange={(e) => setNext({ ...next, status: e.target.value })} aria-invalid={Boolean(errors.status)}>
          <option value={status}>{STATUS_LABEL[status]} (current)</option>
          {STATUS_TRANSITIONS[status].map((s) => (
            <option key={s} value={s}>
              {s === "open" ? "open (reopen)" : STATUS_LABEL[s]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Severity" htmlFor="incident-severity" errors={errors.severity}>
        <Select id="incident-severity" value={next.severity} onChange={(e) => setNext({ ...next, severity: e.target.value })} aria-invalid={Boolean(errors.severity)}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Owner" htmlFor="incident-owner" errors={errors.ownerId}>
        <Select id="incident-owner" value={next.ownerId} onChange={(e) => setNext({ ...next, ownerId: e.target.value })} aria-invalid={Boolean(errors.ownerId)}>
          <option value="">Nobody</option>
          {ownerId && !owners.some((o) => o.id === ownerId) && <option value={ownerId}>(current owner, disabled)</option>}
          {owners.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} ({o.email})
            </option>
          ))}
        </Select>
      </Field>
      <FormError text={errors._?.join(" ")} className="sm:col-span-3" />
      <div className="flex items-center gap-3 sm:col-span-3">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : "Save changes"}
        </Button>
        <Notice notice={notice} />
      </div>
    </form>
  );
}
