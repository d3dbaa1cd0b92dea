import type { ActionResult } from "@/lib/action";

/** A server action as client components receive it (the result type is shared with the server). */
export type ServerAction = (raw: unknown) => Promise<ActionResult<unknown>>;

/** An integration's editable fields as form strings (dates as YYYY-MM-DD, "" when unset). */
export type IntegrationFormValues = {
  name: string;
  provider: string;
  providerVerified: boolean;
  reason: string;
  permissions: string[];
  auditDate: string;
  auditResult: string;
  dependencyStatus: string;
  securityContactName: string;
  securityContactEmail: string;
  securityContactPhone: string;
  disclosureProcess: string;
  irPartner: string;
  degradation: { primary: string; fallback: string; onFailure: string; maxRetries: string } | null;
  nextReviewAt: string;
};

export type AgentChoice = { id: string; name: string };

export const textareaClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-500";
