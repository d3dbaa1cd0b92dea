"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { inputClass, type ServerAction } from "@/components/approvals/types";
import { LabeledField, SubjectFields, subjectInput, type RuleChoices, type SubjectValue } from "./SubjectFields";

const EMPTY: SubjectValue = { subject: "group", personId: "", groupId: "", agentId: "", toolName: "" };

/** Create a rule: who × agent × tool → allow, deny or require approval, with a reason. */
export function IdentityRuleForm({ choices, action }: { choices: RuleChoices; action: ServerAction }) {
  const router = useRouter();
  const toast = useToast();
  const [subject, setSubject] = useState(EMPTY);
  const [effect, setEffect] = useState("deny");
  const [timeout, setTimeoutSeconds] = useState("120");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      const res = await action({ ...subjectInput(subject), effect, reason, ...(effect === "require_approval" ? { timeoutSeconds: Number(timeout) } : {}) });
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        return setError(res.error);
      }
      toast({ text: "Rule added: gateways receive it within seconds." });
      setErrors({});
      setSubject({ ...subject, toolName: "" });
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
    <form onSubmit={onSubmit} className="grid gap-3 md:grid-cols-3" aria-label="New rule">
      <SubjectFields value={subject} onChange={setSubject} choices={choices} errors={errors} />
      <LabeledField label="Effect" error={err("effect")}>
        <select className={inputClass} value={effect} onChange={(e) => setEffect(e.target.value)} aria-label="Effect">
          <option value="deny">deny</option>
          <option value="allow">allow (lifts a broader deny or approval)</option>
          <option value="require_approval">require approval</option>
        </select>
      </LabeledField>
      {effect === "require_approval" && (
        <LabeledField label="Time to decide (seconds, 10–1800)" error={err("timeoutSeconds")}>
          <input type="number" min={10} max={1800} className={inputClass} value={timeout} onChange={(e) => setTimeoutSeconds(e.target.value)} aria-invalid={Boolean(err("timeoutSeconds"))} />
        </LabeledField>
      )}
      <LabeledField label="Reason (shown when a call is blocked)" error={err("reason")}>
        <input className={inputClass} value={reason} onChange={(e) => setReason(e.target.value)} aria-label="Reason" aria-invalid={Boolean(err("reason"))} />
      </LabeledField>
      <div className="md:col-span-3">
        {error && (
          <p role="alert" className="mb-2 text-sm text-red-600">
            {error}
          </p>
        )}
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : "Add rule"}
        </Button>
      </div>
    </form>
  );
}
