"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import type { ServerAction } from "./types";

/**
 * Disable (or enable again) an approval rule. Optimistic: the button flips at once; a refusal
 * flips it back and says why in an error toast.
 */
export function RuleToggle({ id, enabled, label, action }: { id: string; enabled: boolean; label: string; action: ServerAction }) {
  const router = useRouter();
  const toast = useToast();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [shown, setShown] = useState<boolean | null>(null);
  // A new value from the server replaces the optimistic one.
  const [seen, setSeen] = useState(enabled);
  if (seen !== enabled) {
    setSeen(enabled);
    setShown(null);
  }
  const on = shown ?? enabled;
  async function onClick() {
    const next = !on;
    setShown(next);
    setPending(true);
    setError(null);
    try {
      const res = await action({ id, enabled: next });
      if (!res.ok) {
        setShown(null);
        setError(res.error);
        return toast({ tone: "error", text: `Could not ${next ? "enable" : "disable"} ${label}: ${res.error}` });
      }
      toast({ text: `${label} ${next ? "enabled" : "disabled"}.` });
      router.refresh();
    } catch {
      setShown(null);
      toast({ tone: "error", text: `Warden could not be reached; ${label} is unchanged.` });
    } finally {
      setPending(false);
    }
  }
  return (
    <span>
      <Button variant="secondary" disabled={pending} onClick={onClick} aria-label={`${on ? "Disable" : "Enable"} ${label}`}>
        {on ? "Disable" : "Enable"}
      </Button>
      {error && (
        <span role="alert" className="ml-2 text-sm text-red-600">
          {error}
        </span>
      )}
    </span>
  );
}
