"use client";
import { useRouter } from "next/navigation";
import { ReasonAction } from "@/components/ui/ReasonAction";
import type { ServerAction } from "./types";

type Automated = { step: string; label: string; target: string };

/**
 * Run a playbook now, by hand: says what will happen (an incident, and which automated actions —
 * kill switches among them — run at once), asks for the reason, then opens the new incident. The
 * playbook's updatedAt goes along: one edited since the page was shown is refused, not run.
 */
export function RunPlaybook({ id, name, updatedAt, automated, action }: { id: string; name: string; updatedAt: string; automated: Automated[]; action: ServerAction }) {
  const router = useRouter();
  return (
    <ReasonAction
      label="Run now…"
      confirmLabel="Confirm: run playbook"
      action={action}
      payload={{ id, expectedUpdatedAt: updatedAt }}
      placeholder="e.g. Vendor called: their token was leaked"
      done={(data) => ({ text: `Playbook ${name} is running: incident opened.`, href: `/incidents/${(data as { incidentId: string }).incidentId}`, linkLabel: "Open incident" })}
      onDone={(data) => router.push(`/incidents/${(data as { incidentId: string }).incidentId}`)}
    >
      <p className="text-sm">
        Running <strong>{name}</strong> opens a new incident now
        {automated.length === 0 ? (
          " that tracks its steps. It has no automated actions: nothing else changes."
        ) : (
          <> and runs {automated.length === 1 ? "its automated action" : `its ${automated.length} automated actions`} at once, in run order:</>
        )}
      </p>
      {automated.length > 0 && (
        <ol className="list-decimal space-y-1 pl-5 text-sm">
          {automated.map((a, i) => (
            <li key={`${a.step}-${i}`}>
              {a.label}: <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">{a.target}</code> <span className="text-slate-500">({a.step})</span>
            </li>
          ))}
        </ol>
      )}
      {automated.length > 0 && <p className="text-xs text-slate-600 dark:text-slate-400">Kill switches reach the connected gateways within seconds; release them from the incident or Containment.</p>}
    </ReasonAction>
  );
}
