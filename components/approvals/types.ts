import type { ActionResult } from "@/lib/action";

/** A server action as client components receive it. */
export type ServerAction = (raw: unknown) => Promise<ActionResult<unknown>>;

/** One approval as the API and the page give it to the browser (dates as ISO strings). */
export type ApprovalItem = {
  id: string;
  status: "pending" | "allowed" | "denied" | "expired";
  gatewayName: string;
  agentName: string;
  agentRef: string;
  toolName: string;
  toolVersion: string | null;
  toolCallId: string;
  sessionKey: string | null;
  params: unknown;
  reason: string;
  ruleText: string;
  createdAt: string;
  expiresAt: string;
  decision: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
  grantUntil: string | null;
  delivery: { state: string; deliveredAt: string | null; ackedAt: string | null } | null;
  outcome: string | null;
  waitedMs: number | null;
  /** Who asked: the directory's person (with channel:sender), or the sender "not in the directory"; null when the gateway reported none. */
  requester?: string | null;
  /** Delegation chain of gateway agent ids, first agent … calling agent. */
  chain?: string[];
  tier?: string | null;
  recentCalls?: { id: string; occurredAt: string; toolName: string; decision: string; blockReason: string | null }[];
};

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-500";

/** "1:05" / "12 s" style countdown text. */
export function fmtLeft(ms: number): string {
  if (ms <= 0) return "expired";
  const s = Math.ceil(ms / 1000);
  const m = Math.floor(s / 60);
  return m ? `${m} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}
