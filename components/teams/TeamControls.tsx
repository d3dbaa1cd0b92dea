"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Select } from "@/components/ui/Field";
import { useToast } from "@/components/ui/Toaster";
import type { ServerAction } from "@/components/admin/types";

function useCall() {
  const router = useRouter();
  const toast = useToast();
  const [pending, setPending] = useState(false);
  async function call(action: ServerAction, input: unknown, done: string): Promise<boolean> {
    setPending(true);
    try {
      const res = await action(input);
      if (!res.ok) {
        toast({ tone: "error", text: res.error });
        return false;
      }
      toast({ text: done });
      router.refresh();
      return true;
    } catch {
      toast({ tone: "error", text: "Warden could not be reached; nothing changed." });
      return false;
    } finally {
      setPending(false);
    }
  }
  return { call, pending };
}

/** Put an agent or gateway in this team (it leaves its current team). */
export function AddToTeam({
  kind,
  teamId,
  teamName,
  options,
  action,
}: {
  kind: "agent" | "gateway";
  teamId: string;
  teamName: string;
  options: { id: string; name: string; team: string | null }[];
  action: ServerAction;
}) {
  const { call, pending } = useCall();
  const [id, setId] = useState("");
  if (!options.length) return <p className="text-sm text-slate-500">Every {kind} is already in this team.</p>;
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      aria-label={kind === "agent" ? "Add an agent" : "Add a gateway"}
      onSubmit={async (e) => {
        e.preventDefault();
        const picked = options.find((o) => o.id === id);
        if (!picked) return;
        if (picked.team && !window.confirm(`${picked.name} is in team ${picked.team}. Move it to ${teamName}? People of ${picked.team} will no longer see it.`)) return;
        if (await call(action, { kind, id, teamId }, `${picked.name} is now in team ${teamName}.`)) setId("");
      }}
    >
      <label className="text-sm">
        <span className="sr-only">{kind === "agent" ? "Agent" : "Gateway"} to add</span>
        <Select value={id} onChange={(e) => setId(e.target.value)} className="min-w-56">
          <option value="">Choose {kind === "agent" ? "an agent" : "a gateway"}…</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
              {o.team ? ` (in ${o.team})` : ""}
            </option>
          ))}
        </Select>
      </label>
      <Button type="submit" variant="secondary" pending={pending} disabled={!id}>
        Add to team
      </Button>
    </form>
  );
}

/** Take an agent, gateway or user out of the team. */
export function RemoveFromTeam({ kind, id, name, action }: { kind: "agent" | "gateway" | "user"; id: string; name: string; action: ServerAction }) {
  const { call, pending } = useCall();
  return (
    <Button
      variant="secondary"
      pending={pending}
      onClick={() => {
        const warn = kind === "user" ? `${name} will leave the team and see the whole fleet their role allows.` : `${name} will leave the team: only fleet-wide users will see it.`;
        if (!window.confirm(`${warn} Continue?`)) return;
        void call(action, { kind, id, teamId: null }, `${name} left the team.`);
      }}
    >
      Remove
    </Button>
  );
}

/** Delete the team (the server refuses while anything belongs to it). */
export function DeleteTeam({ id, name, action }: { id: string; name: string; action: ServerAction }) {
  const { call, pending } = useCall();
  const router = useRouter();
  return (
    <Button
      variant="danger"
      pending={pending}
      onClick={async () => {
        if (!window.confirm(`Delete team ${name}? This cannot be undone.`)) return;
        if (await call(action, { id }, `Team ${name} deleted.`)) router.push("/teams");
      }}
    >
      Delete team
    </Button>
  );
}
