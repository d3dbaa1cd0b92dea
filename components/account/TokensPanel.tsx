"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { Badge } from "@/components/ui/Badge";
import { DataTable } from "@/components/ui/DataTable";
import { fmtDate } from "@/components/ui/format";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZTokenCreate } from "@/lib/tokens/schema";
import type { ServerAction } from "@/components/admin/types";

type T = { id: string; name: string; prefix: string; expiresAt: string; lastUsedAt: string | null; revokedAt: string | null; createdAt: string; expired: boolean };

export function TokensPanel({ tokens, actions }: { tokens: T[]; actions: { createToken: ServerAction; revokeToken: ServerAction } }) {
  const router = useRouter();
  const { errors, notice, setNotice, run } = useActionForm();
  const [secret, setSecret] = useState<string | null>(null);

  async function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const input = Object.fromEntries(new FormData(form));
    const created = await run<{ token: string }>(actions.createToken, input, ZTokenCreate, { toast: { text: "API token created. Copy it now: it is shown once." } });
    if (!created) return;
    setSecret(created.token);
    form.reset();
    router.refresh();
  }

  async function onRevoke(t: T) {
    if (!window.confirm(`Revoke the token "${t.name}"? Anything using it stops working.`)) return;
    const res = await actions.revokeToken({ id: t.id });
    if (!res.ok) setNotice({ tone: "error", text: res.error });
    router.refresh();
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onCreate} className="flex flex-wrap items-end gap-3" noValidate aria-label="Create a token">
        <Field label="Name" htmlFor="token-name" errors={errors.name}>
          <Input id="token-name" name="name" placeholder="ci-export" aria-invalid={Boolean(errors.name)} />
        </Field>
        <Field label="Expires in (days)" htmlFor="token-days" errors={errors.expiresInDays}>
          <Input id="token-days" name="expiresInDays" type="number" min={1} max={365} defaultValue={90} className="w-28" />
        </Field>
        <Button type="submit">Create token</Button>
      </form>
      <div aria-live="polite">
        <FormError text={notice?.text} />
        {secret && (
          <div className="rounded-md bg-amber-50 p-3 text-sm dark:bg-amber-950">
            <p className="font-medium">Copy your token now — it will not be shown again.</p>
            <code data-testid="new-token" className="mt-1 block select-all break-all font-mono">
              {secret}
            </code>
          </div>
        )}
      </div>
      <DataTable
        caption="Your API tokens"
        columns={[
          { id: "name", header: "Name" },
          { id: "prefix", header: "Token" },
          { id: "expires", header: "Expires" },
          { id: "used", header: "Last used" },
          { id: "state", header: "State" },
        ]}
        rows={tokens.map((t) => ({
          key: t.id,
          cells: {
            name: t.name,
            prefix: <code>{t.prefix}…</code>,
            expires: fmtDate(t.expiresAt),
            used: t.lastUsedAt ? fmtDate(t.lastUsedAt) : "never",
            state: t.revokedAt ? (
              <Badge tone="red">revoked</Badge>
            ) : t.expired ? (
              <Badge tone="amber">expired</Badge>
            ) : (
              <span className="flex items-center gap-2">
                <Badge tone="green">active</Badge>
                <Button variant="ghost" onClick={() => onRevoke(t)}>
                  Revoke
                </Button>
              </span>
            ),
          },
          sort: { name: t.name, expires: t.expiresAt, used: t.lastUsedAt ?? "" },
        }))}
        empty={<p className="text-sm text-slate-500">You have no API tokens.</p>}
      />
    </div>
  );
}
