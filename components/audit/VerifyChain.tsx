"use client";
import { useState } from "react";
import { Button } from "@/components/ui/Button";

type Result = { ok: boolean; checked: number; firstBrokenId: string | null; reason?: string };

export function VerifyChain() {
  const [state, setState] = useState<"idle" | "running" | "done" | "error">("idle");
  const [result, setResult] = useState<Result | null>(null);

  async function onVerify() {
    setState("running");
    const res = await fetch("/api/v1/audit/verify", { cache: "no-store" });
    if (!res.ok) return setState("error");
    setResult(await res.json());
    setState("done");
  }

  return (
    <div className="flex items-center gap-3" aria-live="polite">
      {state === "done" && result && (
        result.ok ? (
          <span className="text-sm text-emerald-700 dark:text-emerald-400">Chain intact: {result.checked.toLocaleString("en")} events verified</span>
        ) : (
          <span role="alert" className="text-sm font-medium text-red-600">Chain broken at event #{result.firstBrokenId} — {result.reason}</span>
        )
      )}
      {state === "error" && <span role="alert" className="text-sm text-red-600">Verification failed to run.</span>}
      <Button variant="secondary" onClick={onVerify} disabled={state === "running"}>
        {state === "running" ? "Verifying…" : "Verify chain"}
      </Button>
    </div>
  );
}
