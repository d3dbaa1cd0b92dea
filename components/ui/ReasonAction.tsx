"use client";
import { useState, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { Button } from "./Button";
import { useToast, type ToastInput } from "./Toaster";
import type { ServerAction } from "@/components/admin/types";

/**
 * A dangerous action that always needs a written reason (revoke, reject …), confirmed in place.
 * `children` says what will happen; `onDone` gets the result (default: refresh the page). A
 * conflict (the record changed meanwhile) refreshes the page so the person sees the new state.
 * A success is toasted: `done` (text, or a toast built from the result; default: the label in the past
 * tense, "Revoke pair" → "Pair revoked.").
 */
export function ReasonAction({
  label,
  action,
  payload,
  confirmLabel,
  placeholder,
  variant = "danger",
  children,
  onDone,
  done,
}: {
  label: string;
  action: ServerAction;
  payload: Record<string, unknown>;
  confirmLabel?: string;
  placeholder?: string;
  variant?: "danger" | "secondary";
  children?: ReactNode;
  onDone?: (data: unknown) => void;
  done?: string | ((data: unknown) => ToastInput);
}) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  if (!open)
    return (
      <Button variant={variant} onClick={() => setOpen(true)}>
        {label}
      </Button>
    );
  async function onConfirm() {
    setPending(true);
    setError(null);
    let res: Awaited<ReturnType<ServerAction>>;
    try {
      res = await action({ ...payload, reason });
    } catch {
      return setError("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
    if (!res.ok) {
      if (res.code === "conflict") router.refresh();
      return setError(res.fieldErrors?.reason?.[0] ?? res.error);
    }
    setOpen(false);
    setReason("");
    toast(typeof done === "function" ? done(res.data) : { text: done ?? pastTense(label) });
    if (onDone) onDone(res.data);
    else router.refresh();
  }
  return (
    <div className="space-y-2 rounded-md border border-red-200 p-3 dark:border-red-900" role="group" aria-label={label}>
      {children}
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Reason (recorded in the audit trail)</span>
        <textarea
          className="block w-full rounded-md border border-slate-300 bg-white p-2 text-sm dark:border-slate-700 dark:bg-slate-950"
          rows={2}
          value={reason}
          placeholder={placeholder}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      {error && (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <Button variant="danger" pending={pending} disabled={reason.trim().length < 5} onClick={onConfirm}>
          {pending ? "Working…" : (confirmLabel ?? `Confirm: ${label.toLowerCase()}`)}
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

const PAST: Record<string, string> = { revoke: "revoked", approve: "approved", dismiss: "dismissed", release: "released", reject: "rejected", run: "started", delete: "deleted", close: "closed" };

/** "Revoke pair" → "Pair revoked."; an unknown verb → "Revoke pair: done." */
export function pastTense(label: string): string {
  const [verb, ...rest] = label.trim().split(/\s+/);
  const past = PAST[verb?.toLowerCase() ?? ""];
  if (!past) return `${label}: done.`;
  const what = rest.join(" ");
  return what ? `${what[0].toUpperCase()}${what.slice(1)} ${past}.` : `${past[0].toUpperCase()}${past.slice(1)}.`;
}
