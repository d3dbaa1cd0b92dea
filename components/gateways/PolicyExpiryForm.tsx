"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";

/** A security lead sets how long this gateway's signed policy stays valid and what happens past it. */
export function PolicyExpiryForm({
  gatewayId,
  ttlHours,
  onExpiry,
  defaultHours,
  action,
}: {
  gatewayId: string;
  ttlHours: number | null;
  onExpiry: string;
  defaultHours: number;
  action: ServerAction;
}) {
  const { errors, notice, setNotice, pending, run } = useActionForm();
  const [hours, setHours] = useState(ttlHours === null ? "" : String(ttlHours));
  const [mode, setMode] = useState(onExpiry);
  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const res = await run<{ changed: boolean }>(action, { id: gatewayId, ttlHours: hours.trim() === "" ? null : hours.trim(), onExpiry: mode }, undefined, {
      toast: (d) => ({ text: d.changed ? "Policy expiry saved; the gateway gets a re-signed policy within seconds." : "Policy expiry unchanged.", tone: d.changed ? "ok" : "info" }),
    });
    if (res) setNotice({ tone: "ok", text: res.changed ? "Saved; the gateway gets a re-signed policy within seconds." : "No change." });
  }
  return (
    <form onSubmit={onSubmit} className="grid gap-3 md:grid-cols-[10rem_1fr_auto] md:items-end" aria-label="Policy expiry">
      <Field label="Lifetime (hours)" htmlFor="policy-ttl" errors={errors.ttlHours} hint={`Empty: default (${defaultHours} h)`}>
        <Input id="policy-ttl" inputMode="decimal" value={hours} onChange={(e) => setHours(e.target.value)} placeholder={String(defaultHours)} aria-invalid={Boolean(errors.ttlHours?.length)} />
      </Field>
      <Field label="Once expired" htmlFor="policy-on-expiry" errors={errors.onExpiry}>
        <Select id="policy-on-expiry" value={mode} onChange={(e) => setMode(e.target.value)}>
          <option value="deny">Block every tool call (fail closed)</option>
          <option value="keep_last">Keep enforcing the last policy (degraded, flagged)</option>
        </Select>
      </Field>
      <Button type="submit" variant="secondary" pending={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      {notice?.tone === "ok" && (
        <p role="status" className="text-sm text-green-700 md:col-span-3 dark:text-green-300">
          {notice.text}
        </p>
      )}
      <FormError className="md:col-span-3" text={notice?.tone === "error" ? notice.text : null} />
    </form>
  );
}
