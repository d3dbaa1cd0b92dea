"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { Input } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import type { ServerAction } from "./types";

/** Delete a playbook, confirmed by typing its name (its drill history goes with it). */
export function DeletePlaybook({ id, name, drills, action }: { id: string; name: string; drills: number; action: ServerAction }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const toast = useToast();
  if (!open)
    return (
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete playbook…
      </Button>
    );

  async function onConfirm() {
    setPending(true);
    setError(null);
    let res: Awaited<ReturnType<ServerAction>>;
    try {
      res = await action({ id });
    } catch {
      return setError("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
    if (!res.ok) return setError(res.error);
    toast({ text: `Playbook ${name} deleted.` });
    router.push("/playbooks");
    router.refresh();
  }

  return (
    <div className="space-y-3 rounded-md border border-red-200 p-3 dark:border-red-900" role="group" aria-label="Delete playbook">
      <p className="text-sm">
        This deletes <strong>{name}</strong>, its steps and {drills === 1 ? "its drill" : `its ${drills} drills`}. Incidents it opened stay, without the link. This cannot be undone.
      </p>
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Type the playbook’s name to confirm</span>
        <Input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </label>
      <FormError text={error} />
      <div className="flex gap-2">
        <Button variant="danger" pending={pending} disabled={typed.trim() !== name} onClick={onConfirm}>
          {pending ? "Deleting…" : "Confirm: delete playbook"}
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            setOpen(false);
            setTyped("");
          }}
        >
          Cancel
        </Button>
      </div>
    </div>
  );
}
