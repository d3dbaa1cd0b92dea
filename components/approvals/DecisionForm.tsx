"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { inputClass, type ServerAction } from "./types";

type Choice = "allow_once" | "allow_for" | "deny";

/**
 * Decide one held call: allow once, allow this agent this tool for N minutes, or deny, always with
 * a reason (the server refuses a decision without one; the field errors are shown here).
 */
export function DecisionForm({ id, label, action, onDone }: { id: string; label: string; action: ServerAction; onDone: (ok: boolean, message: string) => void }) {
  const [choice, setChoice] = useState<Choice>("allow_once");
  const [minutes, setMinutes] = useState("15");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const toast = useToast();

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    setErrors({});
    let res: Awaited<ReturnType<ServerAction>>;
    try {
      res = await action({ id, decision: choice, reason, ...(choice === "allow_for" ? { minutes: Number(minutes) } : {}) });
    } catch {
      setError("Warden could not be reached. Try again.");
      return;
    } finally {
      setPending(false);
    }
    if (!res.ok) {
      setErrors(res.fieldErrors ?? {});
      setError(res.error);
      if (res.code === "conflict") onDone(false, res.error);
      return;
    }
    setReason("");
    toast({
      text: choice === "deny" ? `Denied: ${label}.` : choice === "allow_for" ? `Allowed for ${minutes} minutes: ${label}.` : `Allowed once: ${label}.`,
      href: `/approvals/${id}`,
      linkLabel: "Open the decision",
    });
    onDone(true, choice === "deny" ? "Denied." : "Allowed.");
  }

  const name = `decision-${id}`;
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label={`Decide ${label}`}>
      <fieldset className="flex flex-wrap items-center gap-4 text-sm">
        <legend className="sr-only">Decision</legend>
        <label className="flex items-center gap-1">
          <input type="radio" name={name} checked={choice === "allow_once"} onChange={() => setChoice("allow_once")} /> Allow once
        </label>
        <label className="flex items-center gap-1">
          <input type="radio" name={name} checked={choice === "allow_for"} onChange={() => setChoice("allow_for")} /> Allow this agent this tool for
          <input
            aria-label="Minutes"
            type="number"
            min={1}
            max={1440}
            value={minutes}
            onChange={(e) => {
              setMinutes(e.target.value);
              setChoice("allow_for");
            }}
            className={`${inputClass} w-20`}
            aria-invalid={Boolean(errors.minutes)}
          />{" "}
          minutes
        </label>
        <label className="flex items-center gap-1">
          <input type="radio" name={name} checked={choice === "deny"} onChange={() => setChoice("deny")} /> Deny
        </label>
      </fieldset>
      {errors.minutes && (
        <p role="alert" className="text-sm text-red-600">
          {errors.minutes[0]}
        </p>
      )}
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Reason (required, recorded in the audit trail)</span>
        <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} className={inputClass} aria-invalid={Boolean(errors.reason)} />
      </label>
      {errors.reason && (
        <p role="alert" className="text-sm text-red-600">
          {errors.reason[0]}
        </p>
      )}
      {error && !errors.reason && !errors.minutes && (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      )}
      <Button type="submit" variant={choice === "deny" ? "danger" : "primary"} pending={pending}>
        {pending ? "Sending…" : choice === "deny" ? "Deny the call" : choice === "allow_for" ? `Allow for ${minutes} minutes` : "Allow once"}
      </Button>
    </form>
  );
}
