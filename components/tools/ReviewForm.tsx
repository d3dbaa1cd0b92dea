"use client";
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { OUTCOMES, ZDecision } from "@/lib/tools/schema";
import type { ServerAction } from "@/components/admin/types";
import { PermissionsFields, type Perms } from "./PermissionsFields";

const CHECKS = [
  ["authorVerified", "Author identity verified (profile, company domain, signing key)"],
  ["vulnHistoryChecked", "Vulnerability history checked (CVE databases, advisories)"],
  ["dependencyAuditRun", "Dependency audit run"],
  ["permissionsNarrowed", "Permissions narrowed to what is needed"],
] as const;

type Outcome = (typeof OUTCOMES)[number];
const OUTCOME_LABEL: Record<Outcome, string> = { approve: "Approve", approve_with_conditions: "Approve with conditions", reject: "Reject" };
const OUTCOME_DONE: Record<Outcome, string> = { approve: "Request approved", approve_with_conditions: "Request approved with conditions", reject: "Request rejected" };

/**
 * The reviewer's decision. No outcome is chosen for the reviewer; a refused submit shows every
 * error at once, and each clears as soon as its field is fixed (the server still decides).
 */
export function ReviewForm({ requestId, toolId, requested, highRisk, action }: { requestId: string; toolId: string; requested: Perms; highRisk: boolean; action: ServerAction }) {
  const router = useRouter();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [conditions, setConditions] = useState<Perms>(requested);
  const { errors, notice, pending, run, recheck } = useActionForm();
  const formRef = useRef<HTMLFormElement>(null);

  function readInput(form: HTMLFormElement, o: Outcome | null = outcome, c: Perms = conditions) {
    const f = new FormData(form);
    return {
      requestId,
      outcome: o ?? undefined,
      checklist: {
        authorVerified: f.has("authorVerified"),
        vulnHistoryChecked: f.has("vulnHistoryChecked"),
        dependencyAuditRun: f.has("dependencyAuditRun"),
        dependencyAuditResult: String(f.get("dependencyAuditResult") ?? ""),
        permissionsNarrowed: f.has("permissionsNarrowed"),
        credEgressFlagged: f.has("credEgressFlagged"),
      },
      reason: String(f.get("reason") ?? ""),
      conditions: o === "approve_with_conditions" ? c : undefined,
      reReviewDays: Number(f.get("reReviewDays") || 90),
    };
  }

  // Outcome and conditions live in state: re-check once they have rendered.
  useEffect(() => {
    if (formRef.current) recheck(readInput(formRef.current));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [outcome, conditions]);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const input = readInput(e.currentTarget);
    // Ask only once the input is valid; invalid input goes straight to run, which shows the field errors.
    if (outcome === "reject" && ZDecision.safeParse(input).success && !window.confirm("Reject this request? The decision and its reason are kept forever.")) return;
    const done = await run(action, input, ZDecision, {
      toast: { text: `${OUTCOME_DONE[outcome ?? "approve"]}.`, tone: outcome === "reject" ? "info" : "ok", href: `/tools/${toolId}`, linkLabel: "Open the tool" },
    });
    if (done) router.refresh();
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} onChange={(e) => recheck(readInput(e.currentTarget))} noValidate className="space-y-4" aria-label="Review">
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Checklist</legend>
        {CHECKS.map(([k, label]) => (
          <div key={k}>
            <label className="flex items-start gap-2 text-sm">
              <input type="checkbox" name={k} className="mt-1" /> {label}
            </label>
            {errors[`checklist.${k}`]?.map((m) => (
              <p key={m} className="ml-6 text-xs text-red-600">
                {m}
              </p>
            ))}
          </div>
        ))}
        <Field label="Dependency audit result" htmlFor="dependencyAuditResult" errors={errors["checklist.dependencyAuditResult"]}>
          <Input id="dependencyAuditResult" name="dependencyAuditResult" placeholder="e.g. 3 dependencies, all current; npm audit clean" />
        </Field>
        <label className={`flex items-start gap-2 rounded p-2 text-sm ${highRisk ? "bg-red-50 dark:bg-red-950" : ""}`}>
          <input type="checkbox" name="credEgressFlagged" className="mt-1" /> Credential access + network egress combination reviewed and flagged as high risk{highRisk ? " (this request has it)" : ""}
        </label>
        {errors["checklist.credEgressFlagged"]?.map((m) => (
          <p key={m} className="text-xs text-red-600">
            {m}
          </p>
        ))}
      </fieldset>
      <fieldset className="space-y-1" aria-invalid={Boolean(errors.outcome)} aria-describedby={errors.outcome ? "outcome-error" : undefined}>
        <legend className="text-sm font-medium">Decision</legend>
        {OUTCOMES.map((o) => (
          <label key={o} className="mr-4 inline-flex items-center gap-2 text-sm">
            <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} /> {OUTCOME_LABEL[o]}
          </label>
        ))}
        {errors.outcome?.map((m) => (
          <p key={m} id="outcome-error" className="text-xs text-red-600">
            {m}
          </p>
        ))}
      </fieldset>
      {outcome === "approve_with_conditions" && (
        <div>
          <p className="mb-1 text-sm">Narrowed permissions the approval allows:</p>
          <PermissionsFields idPrefix="cond" value={conditions} onChange={setConditions} errors={errors} narrowing />
          {errors.conditions?.map((m) => (
            <p key={m} className="text-xs text-red-600">
              {m}
            </p>
          ))}
        </div>
      )}
      <Field label="Reason (always required, kept forever)" htmlFor="reason" errors={errors.reason}>
        <textarea id="reason" name="reason" rows={3} className="block w-full rounded-md border border-slate-300 bg-white p-2 text-sm dark:border-slate-700 dark:bg-slate-950" />
      </Field>
      {outcome !== "reject" && (
        <Field label="Re-review in (days)" htmlFor="reReviewDays" errors={errors.reReviewDays}>
          <Input id="reReviewDays" name="reReviewDays" type="number" min={1} max={365} defaultValue={90} className="w-28" />
        </Field>
      )}
      <FormError text={notice?.text} />
      <Button type="submit" variant={outcome === "reject" ? "danger" : "primary"} pending={pending}>
        {pending ? "Working…" : "Record decision"}
      </Button>
    </form>
  );
}
