"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { NOTIFY_EVENT_LABELS, SUBSCRIBABLE_EVENTS, WEBHOOK_FORMATS, WEBHOOK_FORMAT_LABELS, ZWebhookCreate, ZWebhookUpdate } from "@/lib/notify/schema";
import type { ServerAction } from "@/components/admin/types";
import { SecretNotice } from "./SecretNotice";

type Initial = { id: string; name: string; urlDisplay: string; format: string; events: string[] };

/**
 * Create an endpoint (its signing secret is shown once), or edit one. The stored URL never comes
 * to the browser (its path may be a credential), so editing leaves it unchanged unless a new one is typed.
 */
export function WebhookForm({ action, initial, onDone }: { action: ServerAction; initial?: Initial; onDone?: (message?: string) => void }) {
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const idp = initial ? `edit-${initial.id}` : "new-webhook";

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const fd = new FormData(form);
    const url = String(fd.get("url") ?? "").trim();
    const base = { name: String(fd.get("name") ?? ""), format: String(fd.get("format") ?? "standard"), events: fd.getAll("events").map(String) };
    if (initial) {
      const d = await run<{ name: string }>(action, { id: initial.id, ...base, ...(url ? { url } : {}) }, ZWebhookUpdate, { toast: (d) => ({ text: `Webhook ${d.name} saved.` }) });
      if (!d) return;
      router.refresh();
      if (onDone) onDone(`Saved ${d.name}.`);
      else setNotice({ tone: "ok", text: `Saved ${d.name}.` });
      return;
    }
    // The previous one-time secret stays visible until the new input passes local validation.
    const send: ServerAction = (raw) => {
      setSecret(null);
      return action(raw);
    };
    const d = await run<{ endpoint: { name: string }; secret: string }>(send, { ...base, url }, ZWebhookCreate, {
      toast: (d) => ({ text: `Webhook ${d.endpoint.name} created. Copy its signing secret now: it is shown once.` }),
    });
    if (!d) return;
    setSecret({ name: d.endpoint.name, value: d.secret });
    setNotice({ tone: "ok", text: `Created ${d.endpoint.name}.` });
    form.reset();
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" noValidate aria-label={initial ? `Edit ${initial.name}` : "Add a webhook endpoint"}>
      <Field label="Name" htmlFor={`${idp}-name`} errors={errors.name}>
        <Input id={`${idp}-name`} name="name" defaultValue={initial?.name} placeholder="security-slack" aria-invalid={Boolean(errors.name)} required />
      </Field>
      <Field
        label={initial ? "New URL (optional)" : "URL"}
        htmlFor={`${idp}-url`}
        errors={errors.url}
        hint={initial ? `Now ${initial.urlDisplay} — leave empty to keep it.` : "https only. Private, loopback and link-local addresses are refused."}
      >
        <Input id={`${idp}-url`} name="url" type="url" inputMode="url" autoComplete="off" placeholder="https://hooks.example.com/warden" aria-invalid={Boolean(errors.url)} required={!initial} />
      </Field>
      <Field label="Format" htmlFor={`${idp}-format`} errors={errors.format}>
        <Select id={`${idp}-format`} name="format" defaultValue={initial?.format ?? "standard"}>
          {WEBHOOK_FORMATS.map((f) => (
            <option key={f} value={f}>
              {WEBHOOK_FORMAT_LABELS[f]}
            </option>
          ))}
        </Select>
      </Field>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Events</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Leave all unchecked to receive every event except <code>audit.checkpoint</code>, which goes only where it is checked.
        </p>
        {SUBSCRIBABLE_EVENTS.map((ev) => (
          <label key={ev} className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="events" value={ev} defaultChecked={initial?.events.includes(ev)} className="mt-1" />
            <span>
              <code className="text-xs">{ev}</code> <span className="text-slate-600 dark:text-slate-400">— {NOTIFY_EVENT_LABELS[ev]}</span>
            </span>
          </label>
        ))}
        {Object.entries(errors)
          .filter(([k]) => k.startsWith("events"))
          .flatMap(([, v]) => v)
          .map((m) => (
            <p key={m} className="text-xs text-red-600 dark:text-red-400">
              {m}
            </p>
          ))}
      </fieldset>
      <div className="flex gap-2">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : initial ? "Save changes" : "Create endpoint"}
        </Button>
        {initial && onDone && (
          <Button variant="ghost" onClick={() => onDone()}>
            Cancel
          </Button>
        )}
      </div>
      <div aria-live="polite">
        {notice?.tone === "error" ? (
          <FormError text={notice.text} />
        ) : (
          notice && (
            <p role="status" className="text-sm">
              {notice.text}
            </p>
          )
        )}
        {secret && <SecretNotice name={secret.name} secret={secret.value} />}
      </div>
    </form>
  );
}
