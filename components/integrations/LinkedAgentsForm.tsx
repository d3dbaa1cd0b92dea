"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { ZIntegrationSetAgents } from "@/lib/integrations/schema";
import { Notice } from "./Notice";
import type { AgentChoice, ServerAction } from "./types";

/** Which agents use this integration (replaces the whole set on save). */
export function LinkedAgentsForm({ id, agents, linked, action }: { id: string; agents: AgentChoice[]; linked: string[]; action: ServerAction }) {
  const router = useRouter();
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  const toast = useToast();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const input = { id, agentIds: new FormData(e.currentTarget).getAll("agentIds").map(String) };
    if (!ZIntegrationSetAgents.safeParse(input).success) return setNotice({ tone: "error", text: "Pick agents from the list." });
    setPending(true);
    setNotice(null);
    let res: Awaited<ReturnType<ServerAction>>;
    try {
      res = await action(input);
    } catch {
      return setNotice({ tone: "error", text: "Warden could not be reached. Try again." });
    } finally {
      setPending(false);
    }
    if (!res.ok) return setNotice({ tone: "error", text: res.error });
    setNotice({ tone: "ok", text: `Linked agents saved (${input.agentIds.length}).` });
    toast({ text: `Linked agents saved (${input.agentIds.length}).` });
    router.refresh();
  }

  if (agents.length === 0) return <p className="text-sm text-slate-500">No agents registered yet.</p>;
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Linked agents">
      <div className="space-y-1">
        {agents.map((a) => (
          <label key={a.id} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="agentIds" value={a.id} defaultChecked={linked.includes(a.id)} />
            {a.name}
          </label>
        ))}
      </div>
      <Button type="submit" variant="secondary" pending={pending}>
        {pending ? "Saving…" : "Save linked agents"}
      </Button>
      <Notice notice={notice} />
    </form>
  );
}
