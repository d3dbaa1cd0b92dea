import type { PlaybookPhaseName, PlaybookTriggerName, SeverityName, StepActionType } from "@/lib/playbooks/schema";

export type { ServerAction } from "@/components/admin/types";

/** What the form's menus offer (ids and names only). */
export type FormChoices = { integrations: { id: string; name: string }[]; agents: { id: string; name: string }[]; tools: string[] };

/** One step as the form edits it; `key` is a client-side identity, `id` the stored step's. */
export type StepValue = { key: string; id?: string; phase: PlaybookPhaseName; title: string; detail: string; actionType: "" | StepActionType; actionTarget: string };
export type ContactValue = { key: string; kind: "vendor" | "oncall"; name: string; email: string; phone: string };

/** Trigger settings as form strings; only those of the chosen trigger are sent. */
export type TriggerValues = {
  follow: "any" | "integration" | "tool";
  integrationId: string;
  toolName: string;
  percent: string;
  agentId: string;
  count: string;
  minutes: string;
  severity: "" | SeverityName;
};

export type PlaybookFormValues = {
  name: string;
  description: string;
  trigger: PlaybookTriggerName;
  config: TriggerValues;
  contacts: ContactValue[];
  breakGlass: string;
  steps: StepValue[];
};

/** A step as the drill runner shows it. */
export type DrillStep = { id: string; phase: PlaybookPhaseName; title: string; detail: string; action: { type: StepActionType; target: string } | null };

export const textareaClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-500";

/** A new playbook: manual, no steps; the trigger settings hold sensible starting values. */
export const EMPTY_PLAYBOOK: PlaybookFormValues = {
  name: "",
  description: "",
  trigger: "manual",
  config: { follow: "any", integrationId: "", toolName: "", percent: "100", agentId: "", count: "20", minutes: "10", severity: "" },
  contacts: [],
  breakGlass: "",
  steps: [],
};
