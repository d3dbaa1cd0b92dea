"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";
import { SecretOnce } from "./SecretOnce";

export function RotateSecret({ gatewayId, action }: { gatewayId: string; action: ServerAction }) {
  const { notice, pending, run } = useActionForm();
  const [secret, setSecret] = useState<string | null>(null);
  async function onRotate() {
    if (!window.confirm("Issue a new signing secret? The current one keeps working for 24 hours so you can update the gateway.")) return;
    const res = await run<{ signingSecret: string }>(action, { id: gatewayId, graceHours: 24 }, undefined, {
      toast: { text: "New signing secret issued; the old one works for 24 more hours." },
      errorToast: true,
    });
    if (res) setSecret(res.signingSecret);
  }
  return (
    <div className="space-y-2">
      <Button variant="secondary" onClick={onRotate} pending={pending}>
        {pending ? "Rotating…" : "Rotate signing secret"}
      </Button>
      <FormError text={notice?.tone === "error" ? notice.text : null} />
      {secret && <SecretOnce gatewayId={gatewayId} secret={secret} origin={window.location.origin} />}
    </div>
  );
}
