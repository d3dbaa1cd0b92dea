"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Select } from "@/components/ui/Field";
import { useToast } from "@/components/ui/Toaster";
import type { ServerAction } from "@/components/admin/types";
import { SEVERITIES } from "@/lib/findings/schema";

/** Open an incident from a finding, with the finding's severity unless the user raises or lowers it. */
export function OpenIncidentButton({ id, label, severity, action }: { id: string; label: string; severity: string; action: ServerAction }) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [level, setLevel] = useState(severity);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  if (!open)
    return (
      <Button variant="secondary" onClick={() => setOpen(true)} aria-label={`Open incident: ${label}`}>
        Open incident
      </Button>
    );

  async function onConfirm() {
    setPending(true);
    setError(null);
    try {
      const res = await action({ id, severity: level });
      if (!res.ok) return setError(res.fieldErrors?.severity?.[0] ?? res.error);
      const incident = res.data as { id: string; title?: string };
      toast({ text: `Incident opened (${level}): ${incident.title ?? label}.`, href: `/incidents/${incident.id}`, linkLabel: "Open incident" });
      setOpen(false);
      router.refresh();
    } catch {
      setError("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700" role="group" aria-label={`Open incident: ${label}`}>
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Incident severity</span>
        <Select value={level} onChange={(e) => setLevel(e.target.value)}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </label>
      {error && (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <Button pending={pending} onClick={onConfirm}>
          {pending ? "Working…" : "Confirm: open incident"}
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
