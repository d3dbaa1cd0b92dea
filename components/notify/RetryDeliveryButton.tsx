"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import type { ServerAction } from "@/components/admin/types";

/** "Retry now" for a failed or dead delivery: one more attempt right away. */
export function RetryDeliveryButton({ id, action }: { id: string; action: ServerAction }) {
  const router = useRouter();
  const toast = useToast();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function onRetry() {
    setPending(true);
    setError(null);
    try {
      const res = await action({ id });
      if (!res.ok) return setError(res.error);
      toast({ text: "Delivery queued for another attempt now." });
      router.refresh();
    } catch {
      setError("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }
  return (
    <div className="space-y-1">
      <Button variant="secondary" pending={pending} onClick={onRetry}>
        {pending ? "Queuing…" : "Retry now"}
      </Button>
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
