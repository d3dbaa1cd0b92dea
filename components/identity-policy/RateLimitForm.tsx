"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { inputClass, type ServerAction } from "@/components/approvals/types";
import { LabeledField, SubjectFields, subjectInput, type RuleChoices, type SubjectValue } from "./SubjectFields";

const EMPTY: SubjectValue = { subject: "anyone", personId: "", groupId: "", agentId: "", toolName: "" };

/** Create a rate limit: at most N allowed calls a minute for each person it covers. */
export function RateLimitForm({ choices, action }: { choices: RuleChoices; action: ServerAction }) {
  const router = useRouter();
  const toast = useToast();
  const [subject, setSubject] = useState(EMPTY);
  const [tier, setTier] = useState("");
  const [perMinute, setPerMinute] = useState("60");
  const [shared, setShared] = useState(false);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      const res = await action({ ...subjectInput(subject), tier: tier || null, perMinute: Number(perMinute), shared, reason });
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        return setError(res.error);
      }
      toast({ text: "Rate limit added: gateways receive it within seconds." });
      setErrors({});
      setReason("");
      router.refresh();
    } catch {
      setError("Warden could not be reached; nothing was saved.");
    } finally {
      setPending(false);
    }
  }
  const err = (k: string) => errors[k]?.[0] ?? null;
  return (
    <form onSubmit={onSubmit} className="grid gap-3 md:grid-cols-3" aria-label="New rate limit">
      <SubjectFields value={subject} onChange={setSubject} choices={choices} errors={errors} />
      <LabeledField label="Calls" error={err("tier")}>
        <select className={inputClass} value={tier} onChange={(e) => setTier(e.target.value)} aria-label="Calls">
          <option value="">every call</option>
          <option value="interactive">interactive (the agent the person talks to)</option>
          <option value="subagent">sub-agents (delegated work)</option>
        </select>
      </LabeledField>
      <LabeledField label="Allowed calls per minute (1–100000)" error={err("perMinute")}>
        <input
          type="number"
          min={1}
          max={100000}
          className={inputClass}
          value={perMinute}
          onChange={(e) => setPerMinute(e.target.value)}
          aria-label="Per minute"
          aria-invalid={Boolean(err("perMinute"))}
        />
      </LabeledField>
      <LabeledField label="Reason" error={err("reason")}>
        <input className={inputClass} value={reason} onChange={(e) => setReason(e.target.value)} aria-label="Limit reason" aria-invalid={Boolean(err("reason"))} />
      </LabeledField>
      <label className="flex items-center gap-2 text-sm md:col-span-3">
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Shared: counted by Warden across every gateway (each call asks Warden; if Warden is unreachable the
        call is blocked)
      </label>
      <div className="md:col-span-3">
        {error && (
          <p role="alert" className="mb-2 text-sm text-red-600">
            {error}
          </p>
        )}
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : "Add limit"}
        </Button>
      </div>
    </form>
  );
}
