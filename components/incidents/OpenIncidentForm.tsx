"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { Notice } from "@/components/integrations/Notice";
import { textareaClass, type ServerAction } from "@/components/integrations/types";
import { SEVERITIES, SUMMARY_MAX, ZIncidentOpen } from "@/lib/incidents/schema";

type Choice = { id: string; name: string };

/** Open an incident by hand: title, severity, summary, and optionally a playbook and an owner. */
export function OpenIncidentForm({ action, owners, playbooks, defaultOwnerId }: { action: ServerAction; owners: (Choice & { email: string })[]; playbooks: Choice[]; defaultOwnerId?: string }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const s = (k: string) => String(fd.get(k) ?? "");
    const input = { title: s("title"), severity: s("severity"), summary: s("summary"), playbookId: s("playbookId"), ownerId: s("ownerId") };
    const saved = await run<{ id: string }>(action, input, ZIncidentOpen, { toast: (d) => ({ text: `Incident opened: ${input.title}.`, href: `/incidents/${d.id}`, linkLabel: "Open incident" }) });
    if (saved) router.push(`/incidents/${saved.id}`);
  }

  return (
    <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-2" noValidate aria-label="Open an incident">
      <div className="md:col-span-2">
        <Field label="Title" htmlFor="incident-title" errors={errors.title} hint="What is happening, in one line (e.g. “Vendor X reports leaked API keys”).">
          <Input id="incident-title" name="title" aria-invalid={Boolean(errors.title)} required maxLength={200} />
        </Field>
      </div>
      <Field label="Severity" htmlFor="incident-severity" errors={errors.severity}>
        <Select id="incident-severity" name="severity" defaultValue="high" aria-invalid={Boolean(errors.severity)}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Owner" htmlFor="incident-owner" errors={errors.ownerId} hint="Who runs the response (optional).">
        <Select id="incident-owner" name="ownerId" defaultValue={defaultOwnerId ?? ""} aria-invalid={Boolean(errors.ownerId)}>
          <option value="">Nobody yet</option>
          {owners.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} ({o.email})
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Playbook" htmlFor="incident-playbook" errors={errors.playbookId} hint="Its steps, contacts and break-glass notes are shown on the incident.">
        <Select id="incident-playbook" name="playbookId" defaultValue="" aria-invalid={Boolean(errors.playbookId)}>
          <option value="">None</option>
          {playbooks.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      </Field>
      <div className="md:col-span-2">
        <Field label="Summary" htmlFor="incident-summary" errors={errors.summary} hint={`What is known so far (at most ${SUMMARY_MAX} characters).`}>
          <textarea id="incident-summary" name="summary" rows={4} maxLength={SUMMARY_MAX} aria-invalid={Boolean(errors.summary)} className={textareaClass} />
        </Field>
      </div>
      <FormError text={errors._?.join(" ")} className="md:col-span-2" />
      <div className="md:col-span-2">
        <Button type="submit" pending={pending}>
          {pending ? "Opening…" : "Open incident"}
        </Button>
      </div>
      <div className="md:col-span-2">
        <Notice notice={notice} />
      </div>
    </form>
  );
}
