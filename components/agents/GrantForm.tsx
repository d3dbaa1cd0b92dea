"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";

/** Grant a tool outside the agent's bundles, or a time-boxed exception that ends by itself. */
export function GrantForm({ agentId, tools, action }: { agentId: string; tools: { id: string; name: string }[]; action: ServerAction }) {
  const router = useRouter();
  const [kind, setKind] = useState<"grant" | "exception">("exception");
  const { errors, notice, setNotice, run } = useActionForm();
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const until = String(f.get("expiresAt") ?? "");
    const granted = await run(
      action,
      { agentId, toolId: String(f.get("toolId")), kind, reason: String(f.get("reason") ?? ""), expiresAt: until ? new Date(until).toISOString() : undefined },
      undefined,
      { toast: { text: kind === "exception" ? "Exception granted." : "Tool granted.", href: `/tools/${String(f.get("toolId"))}`, linkLabel: "Open the tool" } },
    );
    if (!granted) return;
    setNotice({ tone: "ok", text: kind === "exception" ? "Exception granted." : "Tool granted." });
    form.reset();
    router.refresh();
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Grant a tool">
      <div className="flex gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input type="radio" checked={kind === "exception"} onChange={() => setKind("exception")} /> Time-boxed exception
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" checked={kind === "grant"} onChange={() => setKind("grant")} /> Direct grant
        </label>
      </div>
      <Field label="Tool" htmlFor="grant-tool" errors={errors.toolId}>
        <Select id="grant-tool" name="toolId">
          {tools.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Reason" htmlFor="grant-reason" errors={errors.reason}>
        <Input id="grant-reason" name="reason" />
      </Field>
      {kind === "exception" && (
        <Field label="Ends at" htmlFor="grant-until" errors={errors.expiresAt} hint="At most 90 days; it expires by itself.">
          <Input id="grant-until" name="expiresAt" type="datetime-local" />
        </Field>
      )}
      <Button type="submit">{kind === "exception" ? "Grant exception" : "Grant tool"}</Button>
      {notice && (
        <p role="status" className="text-sm">
          {notice.text}
        </p>
      )}
      <p className="text-xs text-slate-500">A grant only lets the tool through once a version is approved; an exception allows it until its end time even without an approval.</p>
    </form>
  );
}
