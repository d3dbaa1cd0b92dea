"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZModelPriceSet } from "@/lib/model-usage/schema";
import type { ServerAction } from "@/components/admin/types";

export type PriceFormRow = {
  id: string;
  provider: string;
  model: string;
  inputUsdPerMTok: string;
  outputUsdPerMTok: string;
  cacheReadUsdPerMTok: string | null;
  cacheWriteUsdPerMTok: string | null;
  source: string;
};

/**
 * Add a model price, or (with `price`) change or delete one. Prices are USD per million tokens;
 * an empty cache price means cache tokens are priced like input tokens. Deleting asks first:
 * calls of that model arriving afterwards are unpriced.
 */
export function ModelPriceForm({ price, setAction, deleteAction, idPrefix }: { price?: PriceFormRow; setAction: ServerAction; deleteAction?: ServerAction; idPrefix: string }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const id = (name: string) => `${idPrefix}-${name}`;
  const label = price ? `${price.provider}/${price.model}` : "new model";

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(null);
    const form = e.currentTarget;
    const fd = new FormData(form);
    const input = {
      ...(price ? { id: price.id } : {}),
      provider: String(fd.get("provider") ?? ""),
      model: String(fd.get("model") ?? ""),
      inputUsdPerMTok: String(fd.get("inputUsdPerMTok") ?? ""),
      outputUsdPerMTok: String(fd.get("outputUsdPerMTok") ?? ""),
      cacheReadUsdPerMTok: String(fd.get("cacheReadUsdPerMTok") ?? ""),
      cacheWriteUsdPerMTok: String(fd.get("cacheWriteUsdPerMTok") ?? ""),
      source: String(fd.get("source") ?? ""),
    };
    const res = await run<{ provider: string; model: string }>(setAction, input, ZModelPriceSet, { toast: (d) => ({ text: `Price of ${d.provider}/${d.model} saved.` }) });
    if (!res) return;
    setSaved(`Saved the price of ${res.provider}/${res.model}.`);
    if (!price) form.reset();
    router.refresh();
  }

  async function onDelete() {
    if (!price || !deleteAction) return;
    const res = await run(deleteAction, { id: price.id }, undefined, { toast: { text: "Model price deleted." }, errorToast: true });
    if (res === null) return;
    setConfirmDelete(false);
    router.refresh();
  }

  const money = (name: keyof PriceFormRow, title: string, hint?: string) => (
    <Field label={title} htmlFor={id(name)} errors={errors[name]} hint={hint}>
      <Input id={id(name)} name={name} inputMode="decimal" autoComplete="off" defaultValue={(price?.[name] as string | null | undefined) ?? ""} aria-invalid={!!errors[name]} />
    </Field>
  );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={`Price of ${label}`}>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Provider" htmlFor={id("provider")} errors={errors.provider} hint="As gateways report it, e.g. openai, anthropic, google.">
          <Input id={id("provider")} name="provider" autoComplete="off" defaultValue={price?.provider ?? ""} aria-invalid={!!errors.provider} />
        </Field>
        <Field label="Model" htmlFor={id("model")} errors={errors.model} hint="Also prices its dated snapshots (model-2025-01-31).">
          <Input id={id("model")} name="model" autoComplete="off" defaultValue={price?.model ?? ""} aria-invalid={!!errors.model} />
        </Field>
        {money("inputUsdPerMTok", "Input, USD per million tokens")}
        {money("outputUsdPerMTok", "Output, USD per million tokens")}
        {money("cacheReadUsdPerMTok", "Cache read, USD per million tokens", "Empty: priced like input.")}
        {money("cacheWriteUsdPerMTok", "Cache write, USD per million tokens", "Empty: priced like input.")}
      </div>
      <Field label="Source" htmlFor={id("source")} errors={errors.source} hint="Where the figure comes from, and when it was read.">
        <Input id={id("source")} name="source" autoComplete="off" defaultValue={price?.source ?? ""} aria-invalid={!!errors.source} />
      </Field>
      <FormError text={notice?.tone === "error" ? notice.text : null} />
      {saved && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
          {saved}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : price ? "Save price" : "Add price"}
        </Button>
        {price && deleteAction && !confirmDelete && (
          <Button variant="ghost" onClick={() => setConfirmDelete(true)}>
            Delete price…
          </Button>
        )}
        {price && deleteAction && confirmDelete && (
          <span role="group" aria-label="Confirm deletion" className="flex items-center gap-2 text-sm">
            <span>Delete the price of {label}? Its calls arriving from now on are unpriced until a price is added again.</span>
            <Button variant="danger" pending={pending} onClick={onDelete}>
              Delete
            </Button>
            <Button variant="ghost" onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
          </span>
        )}
      </div>
    </form>
  );
}
