"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ON_FAILURE_SUGGESTIONS, ZIntegrationCreate, ZIntegrationUpdate } from "@/lib/integrations/schema";
import { Notice } from "./Notice";
import { textareaClass, type AgentChoice, type IntegrationFormValues, type ServerAction } from "./types";

const EMPTY_INTEGRATION: IntegrationFormValues = {
  name: "",
  provider: "",
  providerVerified: false,
  reason: "",
  permissions: [],
  auditDate: "",
  auditResult: "",
  dependencyStatus: "",
  securityContactName: "",
  securityContactEmail: "",
  securityContactPhone: "",
  disclosureProcess: "",
  irPartner: "",
  degradation: null,
  nextReviewAt: "",
};

/** Form strings → the API's input shape (the same object the zod schema and the server see). */
function toInput(v: IntegrationFormValues) {
  const d = v.degradation;
  const hasDegradation = Boolean(d && (d.primary.trim() || d.fallback.trim() || d.onFailure.trim() || d.maxRetries.trim()));
  return {
    name: v.name,
    provider: v.provider,
    providerVerified: v.providerVerified,
    reason: v.reason,
    permissions: v.permissions,
    auditDate: v.auditDate,
    auditResult: v.auditResult,
    dependencyStatus: v.dependencyStatus,
    securityContactName: v.securityContactName,
    securityContactEmail: v.securityContactEmail,
    securityContactPhone: v.securityContactPhone,
    disclosureProcess: v.disclosureProcess,
    irPartner: v.irPartner,
    degradation:
      hasDegradation && d
        ? { primary: d.primary, fallback: d.fallback.trim() ? d.fallback : null, onFailure: d.onFailure, maxRetries: d.maxRetries.trim() === "" ? undefined : Number(d.maxRetries) }
        : null,
    nextReviewAt: v.nextReviewAt,
  };
}

function readForm(form: HTMLFormElement): IntegrationFormValues & { agentIds: string[] } {
  const fd = new FormData(form);
  const s = (k: string) => String(fd.get(k) ?? "");
  return {
    name: s("name"),
    provider: s("provider"),
    providerVerified: fd.get("providerVerified") === "on",
    reason: s("reason"),
    permissions: s("permissions")
      .split(/[\n,]/)
      .map((p) => p.trim())
      .filter(Boolean),
    auditDate: s("auditDate"),
    auditResult: s("auditResult"),
    dependencyStatus: s("dependencyStatus"),
    securityContactName: s("securityContactName"),
    securityContactEmail: s("securityContactEmail"),
    securityContactPhone: s("securityContactPhone"),
    disclosureProcess: s("disclosureProcess"),
    irPartner: s("irPartner"),
    degradation: { primary: s("degradation.primary"), fallback: s("degradation.fallback"), onFailure: s("degradation.onFailure"), maxRetries: s("degradation.maxRetries") },
    nextReviewAt: s("nextReviewAt"),
    agentIds: fd.getAll("agentIds").map(String),
  };
}

/**
 * Create an integration, or edit one (only changed fields are sent, PATCH-style). Validates with
 * the server's zod schema first; the server still decides and its field errors are shown.
 */
export function IntegrationForm({
  mode,
  action,
  id,
  initial = EMPTY_INTEGRATION,
  agents = [],
}: {
  mode: "create" | "edit";
  action: ServerAction;
  id?: string;
  initial?: IntegrationFormValues;
  agents?: AgentChoice[];
}) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const { agentIds, ...values } = readForm(e.currentTarget);
    const next = toInput(values);
    let saved: { id: string; name: string } | null;
    if (mode === "create") {
      saved = await run(action, { ...next, agentIds }, ZIntegrationCreate, {
        toast: (d: { id: string; name: string }) => ({ text: `Integration ${d.name} added.`, href: `/integrations/${d.id}`, linkLabel: "Open integration" }),
      });
    } else {
      const before = toInput(initial) as Record<string, unknown>;
      const changed = Object.entries(next).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k]));
      if (changed.length === 0) return setNotice({ tone: "ok", text: "Nothing changed." });
      saved = await run(action, { id, ...Object.fromEntries(changed) }, ZIntegrationUpdate, { toast: (d: { id: string; name: string }) => ({ text: `Integration ${d.name} saved.` }) });
    }
    if (!saved) return;
    if (mode === "create") return router.push(`/integrations/${saved.id}`);
    setNotice({ tone: "ok", text: `Saved ${saved.name}.` });
    router.refresh();
  }

  const f = (k: string) => `${mode}-int-${k}`;
  const d = initial.degradation;
  return (
    <form onSubmit={onSubmit} className="space-y-6" noValidate aria-label={mode === "create" ? "New integration" : "Edit integration"}>
      <fieldset className="grid gap-4 md:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Vendor</legend>
        <Field label="Name" htmlFor={f("name")} errors={errors.name} hint="As in the agents' AGENTS.md, e.g. slack-webhook.">
          <Input id={f("name")} name="name" defaultValue={initial.name} aria-invalid={Boolean(errors.name)} required />
        </Field>
        <Field label="Provider" htmlFor={f("provider")} errors={errors.provider}>
          <Input id={f("provider")} name="provider" defaultValue={initial.provider} aria-invalid={Boolean(errors.provider)} required />
        </Field>
        <div className="md:col-span-2">
          <Field label="Reason" htmlFor={f("reason")} errors={errors.reason} hint="Why agents need it: the trust decision in one sentence.">
            <textarea id={f("reason")} name="reason" rows={2} defaultValue={initial.reason} aria-invalid={Boolean(errors.reason)} className={textareaClass} />
          </Field>
        </div>
        <label className="flex items-center gap-2 text-sm md:col-span-2">
          <input type="checkbox" name="providerVerified" defaultChecked={initial.providerVerified} />
          Provider team verified (company domain, signing keys, known people)
        </label>
        <div className="md:col-span-2">
          <Field
            label="Permissions"
            htmlFor={f("permissions")}
            errors={errors.permissions ?? Object.entries(errors).find(([k]) => k.startsWith("permissions."))?.[1]}
            hint="One per line or comma-separated, e.g. write:messages, no:files, no:auth."
          >
            <textarea id={f("permissions")} name="permissions" rows={2} defaultValue={initial.permissions.join("\n")} aria-invalid={Boolean(errors.permissions)} className={textareaClass} />
          </Field>
        </div>
      </fieldset>

      <fieldset className="grid gap-4 md:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Audit</legend>
        <Field label="Audit date" htmlFor={f("auditDate")} errors={errors.auditDate}>
          <Input id={f("auditDate")} name="auditDate" type="date" defaultValue={initial.auditDate} aria-invalid={Boolean(errors.auditDate)} />
        </Field>
        <Field label="Next review" htmlFor={f("nextReviewAt")} errors={errors.nextReviewAt} hint={mode === "create" ? "Empty: 90 days after the audit date, or now if never audited." : undefined}>
          <Input id={f("nextReviewAt")} name="nextReviewAt" type="date" defaultValue={initial.nextReviewAt} aria-invalid={Boolean(errors.nextReviewAt)} />
        </Field>
        <Field label="Audit result" htmlFor={f("auditResult")} errors={errors.auditResult} hint="e.g. 3 dependencies, all current">
          <Input id={f("auditResult")} name="auditResult" defaultValue={initial.auditResult} aria-invalid={Boolean(errors.auditResult)} />
        </Field>
        <Field label="Dependency status" htmlFor={f("dependencyStatus")} errors={errors.dependencyStatus}>
          <Input id={f("dependencyStatus")} name="dependencyStatus" defaultValue={initial.dependencyStatus} aria-invalid={Boolean(errors.dependencyStatus)} />
        </Field>
      </fieldset>

      <fieldset className="grid gap-4 md:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Security contact and incident response</legend>
        <Field label="Contact name" htmlFor={f("scName")} errors={errors.securityContactName}>
          <Input id={f("scName")} name="securityContactName" defaultValue={initial.securityContactName} aria-invalid={Boolean(errors.securityContactName)} />
        </Field>
        <Field label="Contact email" htmlFor={f("scEmail")} errors={errors.securityContactEmail}>
          <Input id={f("scEmail")} name="securityContactEmail" type="email" defaultValue={initial.securityContactEmail} aria-invalid={Boolean(errors.securityContactEmail)} />
        </Field>
        <Field label="Contact phone" htmlFor={f("scPhone")} errors={errors.securityContactPhone}>
          <Input id={f("scPhone")} name="securityContactPhone" type="tel" defaultValue={initial.securityContactPhone} aria-invalid={Boolean(errors.securityContactPhone)} />
        </Field>
        <div className="md:col-span-2">
          <Field label="Disclosure process" htmlFor={f("disclosure")} errors={errors.disclosureProcess}>
            <textarea id={f("disclosure")} name="disclosureProcess" rows={2} defaultValue={initial.disclosureProcess} aria-invalid={Boolean(errors.disclosureProcess)} className={textareaClass} />
          </Field>
        </div>
        <Field label="Incident response partner" htmlFor={f("ir")} errors={errors.irPartner}>
          <Input id={f("ir")} name="irPartner" defaultValue={initial.irPartner} aria-invalid={Boolean(errors.irPartner)} />
        </Field>
      </fieldset>

      <fieldset className="grid gap-4 md:grid-cols-4">
        <legend className="mb-1 text-sm font-semibold">Graceful degradation</legend>
        <p className="text-xs text-slate-500 md:col-span-4">What agents do when this vendor is down or compromised. Leave all empty for none.</p>
        <Field label="Primary" htmlFor={f("dPrimary")} errors={errors["degradation.primary"]}>
          <Input id={f("dPrimary")} name="degradation.primary" placeholder="sendgrid" defaultValue={d?.primary ?? ""} aria-invalid={Boolean(errors["degradation.primary"])} />
        </Field>
        <Field label="Fallback" htmlFor={f("dFallback")} errors={errors["degradation.fallback"]}>
          <Input id={f("dFallback")} name="degradation.fallback" placeholder="local_smtp" defaultValue={d?.fallback ?? ""} aria-invalid={Boolean(errors["degradation.fallback"])} />
        </Field>
        <Field label="On failure" htmlFor={f("dOnFailure")} errors={errors["degradation.onFailure"]}>
          <Input
            id={f("dOnFailure")}
            name="degradation.onFailure"
            list={f("onFailureList")}
            placeholder="queue_and_retry"
            defaultValue={d?.onFailure ?? ""}
            aria-invalid={Boolean(errors["degradation.onFailure"])}
          />
        </Field>
        <datalist id={f("onFailureList")}>
          {ON_FAILURE_SUGGESTIONS.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <Field label="Max retries" htmlFor={f("dRetries")} errors={errors["degradation.maxRetries"]}>
          <Input
            id={f("dRetries")}
            name="degradation.maxRetries"
            type="number"
            min={0}
            max={20}
            placeholder="3"
            defaultValue={d?.maxRetries ?? ""}
            aria-invalid={Boolean(errors["degradation.maxRetries"])}
          />
        </Field>
      </fieldset>

      {mode === "create" && (
        <fieldset>
          <legend className="mb-2 text-sm font-semibold">Agents that use it</legend>
          {agents.length === 0 ? (
            <p className="text-sm text-slate-500">No agents registered yet; link them later.</p>
          ) : (
            <div className="flex flex-wrap gap-x-4 gap-y-2">
              {agents.map((a) => (
                <label key={a.id} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="agentIds" value={a.id} />
                  {a.name}
                </label>
              ))}
            </div>
          )}
          {errors.agentIds && <p className="mt-1 text-xs text-red-600">{errors.agentIds.join(" ")}</p>}
        </fieldset>
      )}

      <FormError text={errors._?.join(" ")} />
      <div className="flex items-center gap-3">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : mode === "create" ? "Create integration" : "Save changes"}
        </Button>
      </div>
      <Notice notice={notice} />
    </form>
  );
}
