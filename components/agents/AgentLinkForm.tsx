"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import type { ServerAction } from "@/components/admin/types";

/** Approve "this agent may reach that agent" (session sends and sub-agent spawns) on their gateway. */
export function AgentLinkForm({ fromAgentId, agents, action }: { fromAgentId: string; agents: { id: string; name: string }[]; action: ServerAction }) {
  const router = useRouter();
  const { errors, notice, setNotice, run } = useActionForm();
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const toAgentId = String(f.get("toAgentId") ?? "");
    const done = await run(action, { fromAgentId, toAgentId, reason: String(f.get("reason") ?? "") }, undefined, {
      toast: { text: "Agent pair approved; the gateway's policy is being refreshed.", href: `/agents/${toAgentId}`, linkLabel: "Open the other agent" },
    });
    if (!done) return;
    setNotice({ tone: "ok", text: "Pair approved: the gateway's policy is being refreshed." });
    form.reset();
    router.refresh();
  }
  if (!agents.length) return <p className="text-sm text-slate-500">No other agent runs on this agent&apos;s gateway.</p>;
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Approve an agent link">
      <Field label="May reach agent" htmlFor="link-to" errors={errors.toAgentId}>
        <Select id="link-to" name="toAgentId">
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Reason" htmlFor="link-reason" errors={errors.reason}>
        <Input id="link-reason" name="reason" />
      </Field>
      <Button type="submit">Approve pair</Button>
      {notice && (
        <p role="status" className="text-sm">
          {notice.text}
        </p>
      )}
    </form>
  );
}
