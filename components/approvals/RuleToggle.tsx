"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import type { ServerAction } from "./types";

/** Disable (or enable again) an approval rule. */
export function RuleToggle({ id, enabled, label, action }: { id: string; enabled: boolean; label: string; action: ServerAction }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function onClick() {
    setPending(true);
    const res = await action({ id, enabled: !enabled });
    setPending(false);
    if (!res.ok) return setError(res.error);
    router.refresh();
  }
  return (
    <span>
      <Button variant="secondary" pending={pending} onClick={onClick} aria-label={`${enabled ? "Disable" : "Enable"} ${label}`}>{enabled ? "Disable" : "Enable"}</Button>
      {error && <span role="alert" className="ml-2 text-sm text-red-600">{error}</span>}
    </span>
  );
}
