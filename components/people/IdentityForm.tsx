"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";
import { ZIdentityAdd } from "@/lib/people/schema";

/** Link another sender identity to a person. */
export function IdentityForm({ personId, action }: { personId: string; action: ServerAction }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const input = { personId, channel: String(f.get("channel") ?? ""), accountId: String(f.get("accountId") ?? ""), senderId: String(f.get("senderId") ?? "") };
    const ok = await run(action, input, ZIdentityAdd, { toast: { text: "Sender identity linked." } });
    if (!ok) return;
    form.reset();
    router.refresh();
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Add a sender identity">
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Channel" htmlFor="id-channel" errors={errors.channel}>
          <Input id="id-channel" name="channel" placeholder="telegram" autoComplete="off" />
        </Field>
        <Field label="Account" htmlFor="id-account" errors={errors.accountId} hint="Empty when the channel has none.">
          <Input id="id-account" name="accountId" placeholder="default" autoComplete="off" />
        </Field>
        <Field label="Sender id" htmlFor="id-sender" errors={errors.senderId}>
          <Input id="id-sender" name="senderId" placeholder="123456" autoComplete="off" />
        </Field>
      </div>
      <Button type="submit" pending={pending}>
        Add identity
      </Button>
      {notice?.tone === "error" && (
        <p role="alert" className="text-sm text-red-600">
          {notice.text}
        </p>
      )}
    </form>
  );
}
