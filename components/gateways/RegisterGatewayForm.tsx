"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ZGatewayRegister } from "@/lib/gateways/schema";
import type { ServerAction } from "@/components/admin/types";
import { SecretOnce } from "./SecretOnce";

export function RegisterGatewayForm({ action }: { action: ServerAction }) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const input = Object.fromEntries(new FormData(form));
    const res = await run<{ gateway: { id: string }; signingSecret: string }>(action, input, ZGatewayRegister, {
      toast: (d) => ({ text: "Gateway registered. Copy its signing secret now: it is shown once.", href: `/gateways/${d.gateway.id}`, linkLabel: "Open gateway" }),
    });
    if (!res) return;
    setCreated({ id: res.gateway.id, secret: res.signingSecret });
    form.reset();
    router.refresh();
  }
  return (
    <div className="space-y-3">
      <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Register a gateway">
        <Field label="Name" htmlFor="gw-name" errors={errors.name}>
          <Input id="gw-name" name="name" placeholder="prod-gateway-us" />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Kind" htmlFor="gw-kind" errors={errors.kind}>
            <Select id="gw-kind" name="kind" defaultValue="openclaw">
              <option value="openclaw">OpenClaw</option>
              <option value="generic">generic</option>
            </Select>
          </Field>
          <Field label="Environment" htmlFor="gw-env" errors={errors.environment}>
            <Input id="gw-env" name="environment" placeholder="production" />
          </Field>
        </div>
        <Field
          label="Admin WebSocket URL (optional)"
          htmlFor="gw-ws"
          errors={errors.adminWsUrl}
          hint="Second control path for kill switches. OpenClaw grants admin scope to a token on loopback only: use ws://127.0.0.1:18789 on the gateway host or a tunnel to it."
        >
          <Input id="gw-ws" name="adminWsUrl" />
        </Field>
        <Field label="Admin token (optional)" htmlFor="gw-token" errors={errors.adminToken} hint="Stored encrypted; never shown again">
          <Input id="gw-token" name="adminToken" type="password" autoComplete="off" />
        </Field>
        <FormError text={notice?.tone === "error" ? notice.text : null} />
        <Button type="submit" pending={pending}>
          {pending ? "Registering…" : "Register gateway"}
        </Button>
      </form>
      {created && <SecretOnce gatewayId={created.id} secret={created.secret} origin={window.location.origin} />}
    </div>
  );
}
