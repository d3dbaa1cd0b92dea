"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { Notice } from "@/components/integrations/Notice";
import { textareaClass, type AgentChoice, type ServerAction } from "@/components/integrations/types";
import { CLASSIFICATIONS, ZDataFlowCreate, ZDataFlowUpdate } from "@/lib/data-flows/schema";

export type DataFlowFormValues = { agentId: string; service: string; host: string; isLlmProvider: boolean; dataSent: string; dataReceived: string; classification: string };
const EMPTY: DataFlowFormValues = { agentId: "", service: "", host: "", isLlmProvider: false, dataSent: "", dataReceived: "", classification: "internal" };

/**
 * Record a data flow (always proposed), or edit one: only changed fields are sent, and a change
 * to an approved or rejected flow puts it back to proposed. Validates with the server's schema.
 */
export function DataFlowForm({
  mode,
  action,
  id,
  initial = EMPTY,
  agents = [],
  status,
}: {
  mode: "create" | "edit";
  action: ServerAction;
  id?: string;
  initial?: DataFlowFormValues;
  agents?: AgentChoice[];
  status?: string;
}) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const s = (k: string) => String(fd.get(k) ?? "");
    const values = {
      service: s("service"),
      host: s("host"),
      isLlmProvider: fd.get("isLlmProvider") === "on",
      dataSent: s("dataSent"),
      dataReceived: s("dataReceived"),
      classification: s("classification"),
    };
    let saved: { id: string; status: string } | null;
    if (mode === "create") {
      saved = await run(action, { agentId: s("agentId"), ...values }, ZDataFlowCreate, {
        toast: (d: { id: string; status: string }) => ({ text: "Data flow proposed.", href: `/data-flows/${d.id}`, linkLabel: "Open data flow" }),
      });
    } else {
      const changed = Object.entries(values).filter(([k, v]) => v !== initial[k as keyof DataFlowFormValues]);
      if (changed.length === 0) return setNotice({ tone: "ok", text: "Nothing changed." });
      if (status && status !== "proposed" && !window.confirm(`This flow is ${status}. Saving a change puts it back to proposed: it leaves the egress allowlist until it is approved again. Continue?`))
        return;
      saved = await run(action, { id, ...Object.fromEntries(changed) }, ZDataFlowUpdate, { toast: (d: { id: string; status: string }) => ({ text: `Data flow saved. Status: ${d.status}.` }) });
    }
    if (!saved) return;
    if (mode === "create") return router.push(`/data-flows/${saved.id}`);
    setNotice({ tone: "ok", text: `Saved. Status: ${saved.status}.` });
    router.refresh();
  }

  const f = (k: string) => `${mode}-flow-${k}`;
  return (
    <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-2" noValidate aria-label={mode === "create" ? "New data flow" : "Edit data flow"}>
      {mode === "create" && (
        <Field label="Agent" htmlFor={f("agent")} errors={errors.agentId}>
          <Select id={f("agent")} name="agentId" defaultValue={initial.agentId} aria-invalid={Boolean(errors.agentId)}>
            <option value="">Choose an agent…</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Field label="Service" htmlFor={f("service")} errors={errors.service} hint="e.g. Anthropic, SendGrid">
        <Input id={f("service")} name="service" defaultValue={initial.service} aria-invalid={Boolean(errors.service)} required />
      </Field>
      <Field label="Host" htmlFor={f("host")} errors={errors.host} hint="The host name agents reach, e.g. api.anthropic.com (goes into the egress allowlist once approved).">
        <Input id={f("host")} name="host" defaultValue={initial.host} aria-invalid={Boolean(errors.host)} required />
      </Field>
      <Field label="Classification" htmlFor={f("class")} errors={errors.classification} hint="Of the most sensitive data sent.">
        <Select id={f("class")} name="classification" defaultValue={initial.classification} aria-invalid={Boolean(errors.classification)}>
          {CLASSIFICATIONS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
      </Field>
      <label className="flex items-center gap-2 self-end pb-2 text-sm">
        <input type="checkbox" name="isLlmProvider" defaultChecked={initial.isLlmProvider} />
        LLM provider (prompts and context leave the organisation)
      </label>
      <div className="md:col-span-2">
        <Field label="Data sent" htmlFor={f("sent")} errors={errors.dataSent}>
          <textarea id={f("sent")} name="dataSent" rows={2} defaultValue={initial.dataSent} aria-invalid={Boolean(errors.dataSent)} className={textareaClass} />
        </Field>
      </div>
      <div className="md:col-span-2">
        <Field label="Data received" htmlFor={f("received")} errors={errors.dataReceived}>
          <textarea id={f("received")} name="dataReceived" rows={2} defaultValue={initial.dataReceived} aria-invalid={Boolean(errors.dataReceived)} className={textareaClass} />
        </Field>
      </div>
      <FormError text={errors._?.join(" ")} className="md:col-span-2" />
      <div className="md:col-span-2">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : mode === "create" ? "Propose data flow" : "Save changes"}
        </Button>
      </div>
      <div className="md:col-span-2">
        <Notice notice={notice} />
      </div>
    </form>
  );
}
