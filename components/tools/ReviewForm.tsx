"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZDecision } from "@/lib/tools/schema";
import type { ServerAction } from "@/components/admin/types";
import { PermissionsFields, type Perms } from "./PermissionsFields";

const CHECKS = [
  ["authorVerified", "Author identity verified (profile, company domain, signing key)"],
  ["vulnHistoryChecked", "Vulnerability history checked (CVE databases, advisories)"],
  ["dependencyAuditRun", "Dependency audit run"],
  ["permissionsNarrowed", "Permissions narrowed to what is needed"],
] as const;

export function ReviewForm({ requestId, requested, highRisk, action }: { requestId: string; requested: Perms; highRisk: boolean; action: ServerAction }) {
  const router = useRouter();
  const [outcome, setOutcome] = useState<"approve" | "approve_with_conditions" | "reject">("approve");
  const [conditions, setConditions] = useState<Perms>(requested);
  const { errors, notice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const input = {
      requestId,
      outcome,
      checklist: {
        authorVerified: f.has("authorVerified"),
        vulnHistoryChecked: f.has("vulnHistoryChecked"),
        dependencyAuditRun: f.has("dependencyAuditRun"),
        dependencyAuditResult: String(f.get("dependencyAuditResult") ?? ""),
        permissionsNarrowed: f.has("permissionsNarrowed"),
        credEgressFlagged: f.has("credEgressFlagged"),
      },
      reason: String(f.get("reason") ?? ""),
      conditions: outcome === "approve_with_conditions" ? conditions : undefined,
      reReviewDays: Number(f.get("reReviewDays") || 90),
    };
    // Ask only once the input is valid; invalid input goes straight to run, which shows the field errors.
    if (outcome === "reject" && ZDecision.safeParse(input).success && !window.confirm("Reject this request? The decision and its reason are kept forever.")) return;
    if (await run(action, input, ZDecision)) router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Review">
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Checklist</legend>
        {CHECKS.map(([k, label]) => (
          <div key={k}>
            <label className="flex items-start gap-2 text-sm"><input type="checkbox" name={k} className="mt-1" /> {label}</label>
            {errors[`checklist.${k}`]?.map((m) => <p key={m} className="ml-6 text-xs text-red-600">{m}</p>)}
          </div>
        ))}
        <Field label="Dependency audit result" htmlFor="dependencyAuditResult" errors={errors["checklist.dependencyAuditResult"]}>
          <Input id="dependencyAuditResult" name="dependencyAuditResult" placeholder="e.g. 3 dependencies, all current; npm audit clean" />
        </Field>
        <label className={`flex items-start gap-2 rounded p-2 text-sm ${highRisk ? "bg-red-50 dark:bg-red-950" : ""}`}>
          <input type="checkbox" name="credEgressFlagged" className="mt-1" /> Credential access + network egress combination reviewed and flagged as high risk{highRisk ? " (this request has it)" : ""}
        </label>
        {errors["checklist.credEgressFlagged"]?.map((m) => <p key={m} className="text-xs text-red-600">{m}</p>)}
      </fieldset>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Decision</legend>
        {(["approve", "approve_with_conditions", "reject"] as const).map((o) => (
          <label key={o} className="mr-4 inline-flex items-center gap-2 text-sm">
            <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} /> {o === "approve" ? "Approve" : o === "reject" ? "Reject" : "Approve with conditions"}
          </label>
        ))}
      </fieldset>
      {outcome === "approve_with_conditions" && (
        <div>
          <p className="mb-1 text-sm">Narrowed permissions the approval allows:</p>
          <PermissionsFields idPrefix="cond" value={conditions} onChange={setConditions} errors={errors} narrowing />
          {errors.conditions?.map((m) => <p key={m} className="text-xs text-red-600">{m}</p>)}
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
      <Button type="submit" variant={outcome === "reject" ? "danger" : "primary"} disabled={pending}>{pending ? "Recording…" : "Record decision"}</Button>
    </form>
  );
}
