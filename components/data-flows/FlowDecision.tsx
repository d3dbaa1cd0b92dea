"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { textareaClass, type ServerAction } from "@/components/integrations/types";

/**
 * Approve or reject a data flow. Rejecting asks for confirmation (the host leaves the egress
 * allowlist). With `withReason`, a reason box is shown and recorded in the audit trail.
 */
export function FlowDecision({ id, label, status, action, withReason = false }: { id: string; label: string; status: string; action: ServerAction; withReason?: boolean }) {
  const router = useRouter();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const toast = useToast();

  async function decide(next: "approved" | "rejected") {
    if (next === "rejected" && !window.confirm(`Reject the data flow ${label}? Its host ${status === "approved" ? "leaves" : "stays out of"} the egress allowlist.`)) return;
    setPending(true);
    setError(null);
    let res: Awaited<ReturnType<ServerAction>>;
    try {
      res = await action({ id, status: next, reason: reason || undefined });
    } catch {
      return setError("Warden could not be reached. Try again.");
    } finally {
      setPending(false);
    }
    if (!res.ok) return setError(res.fieldErrors?.reason?.[0] ?? res.error);
    toast({ text: next === "approved" ? `Data flow ${label} approved: its host joins the egress allowlist.` : `Data flow ${label} rejected.`, href: `/data-flows/${id}`, linkLabel: "Open data flow" });
    setReason("");
    router.refresh();
  }

  return (
    <div className="space-y-2" role="group" aria-label={`Decide ${label}`}>
      {withReason && (
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Reason (optional, recorded in the audit trail)</span>
          <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} className={textareaClass} />
        </label>
      )}
      <div className="flex flex-wrap gap-2">
        {status !== "approved" && (
          <Button variant="primary" pending={pending} onClick={() => decide("approved")} aria-label={`Approve ${label}`}>
            Approve
          </Button>
        )}
        {status !== "rejected" && (
          <Button variant="danger" pending={pending} onClick={() => decide("rejected")} aria-label={`Reject ${label}`}>
            Reject
          </Button>
        )}
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
