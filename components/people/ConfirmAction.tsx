"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import type { ServerAction } from "@/components/admin/types";

/**
 * A directory change behind one confirmation (remove an identity, disable a person, delete a group):
 * the first click asks, the second does it; the page refreshes after.
 */
export function ConfirmAction({
  label,
  question,
  action,
  payload,
  done,
  variant = "danger",
  redirectTo,
}: {
  label: string;
  question: string;
  action: ServerAction;
  payload: Record<string, unknown>;
  done: string;
  variant?: "danger" | "secondary";
  redirectTo?: string;
}) {
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!open)
    return (
      <Button variant={variant === "danger" ? "secondary" : variant} onClick={() => setOpen(true)}>
        {label}
      </Button>
    );
  async function onConfirm() {
    setPending(true);
    setError(null);
    try {
      const res = await action(payload);
      if (!res.ok) return setError(res.error);
      toast({ text: done });
      setOpen(false);
      if (redirectTo) router.push(redirectTo);
      router.refresh();
    } catch {
      setError("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }
  return (
    <span role="group" aria-label={label} className="inline-flex flex-wrap items-center gap-2 text-sm">
      <span>{question}</span>
      <Button variant={variant} pending={pending} onClick={onConfirm}>
        {label}
      </Button>
      <Button variant="ghost" onClick={() => setOpen(false)}>
        Cancel
      </Button>
      {error && (
        <span role="alert" className="text-red-600">
          {error}
        </span>
      )}
    </span>
  );
}
