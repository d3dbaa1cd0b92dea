"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import type { ServerAction } from "@/components/approvals/types";

/** Delete a rule or limit after an inline confirmation that says what stops applying. */
export function DeleteButton({ id, label, consequence, action }: { id: string; label: string; consequence: string; action: ServerAction }) {
  const router = useRouter();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  async function onDelete() {
    setPending(true);
    try {
      const res = await action({ id });
      if (!res.ok) return toast({ tone: "error", text: `Could not delete ${label}: ${res.error}` });
      toast({ text: `${label[0]!.toUpperCase()}${label.slice(1)} deleted.` });
      setConfirming(false);
      router.refresh();
    } catch {
      toast({ tone: "error", text: `Warden could not be reached; ${label} is unchanged.` });
    } finally {
      setPending(false);
    }
  }
  if (!confirming)
    return (
      <Button variant="ghost" onClick={() => setConfirming(true)} aria-label={`Delete ${label}`}>
        Delete…
      </Button>
    );
  return (
    <span role="group" aria-label="Confirm deletion" className="flex flex-wrap items-center gap-2 text-sm">
      <span>{consequence}</span>
      <Button variant="danger" pending={pending} onClick={onDelete}>
        Delete
      </Button>
      <Button variant="ghost" onClick={() => setConfirming(false)}>
        Cancel
      </Button>
    </span>
  );
}
