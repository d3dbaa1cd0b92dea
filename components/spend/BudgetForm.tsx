"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { ON_LIMIT, ON_LIMIT_LABELS, ZBudgetSet, type OnLimit } from "@/lib/spend/schema";
import type { ServerAction } from "@/components/admin/types";
import { fmtUsd } from "./money";

export type BudgetFormBudget = { id: string; dailyUsd: string; onLimit: OnLimit; enabled: boolean };

const CONSEQUENCE: Record<OnLimit, string> = {
  notify: "At 100 % Warden only notifies (webhooks, audit trail).",
  suspend_agent: "At 100 % Warden suspends this agent on its gateway until someone releases it.",
  block_fleet: "At 100 % Warden blocks every tool call of every agent on every gateway until someone releases it.",
};

/**
 * Set (or change, or delete) one daily budget: an agent's (`agentId`), the fleet's (`agentId`
 * null), or, with `agents`, one for an agent picked from the list. Thresholds 50/75/90/100 % fire
 * once per UTC day; `onLimit` says what happens at 100 %.
 */
export function BudgetForm(props: {
  setAction: ServerAction;
  deleteAction?: ServerAction;
  /** Fixed target; undefined with `agents` to pick one. */
  agentId?: string | null;
  agents?: { id: string; name: string }[];
  budget?: BudgetFormBudget | null;
  /** Today's spend of the target (exact decimal string), to warn when a budget would trip at once. */
  spentTodayUsd?: string;
  idPrefix: string;
}) {
  const { setAction, deleteAction, agentId, agents, budget, spentTodayUsd, idPrefix } = props;
  const router = useRouter();
  const { errors, notice, setNotice, pending, run } = useActionForm();
  const isFleet = agentId === null;
  const choices = ON_LIMIT.filter((o) => !(isFleet && o === "suspend_agent"));
  const [onLimit, setOnLimit] = useState<OnLimit>(budget?.onLimit ?? (isFleet ? "notify" : "suspend_agent"));
  const [confirmTrip, setConfirmTrip] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const id = (name: string) => `${idPrefix}-${name}`;

  function inputOf(form: HTMLFormElement) {
    const fd = new FormData(form);
    return {
      agentId: agentId === undefined ? String(fd.get("agentId") ?? "") : agentId,
      dailyUsd: String(fd.get("dailyUsd") ?? ""),
      onLimit,
      enabled: fd.get("enabled") === "on",
    };
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(null);
    const input = inputOf(e.currentTarget);
    // A containing budget set below today's spend trips on the breaker's next run (within 30 s).
    const daily = Number(input.dailyUsd.replace(/^\$/, ""));
    if (!confirmTrip && input.enabled && onLimit !== "notify" && spentTodayUsd && daily > 0 && Number(spentTodayUsd) >= daily) {
      setConfirmTrip(
        `Today's spend (${fmtUsd(spentTodayUsd)}) is already at or over ${fmtUsd(String(daily))}: unless 100 % already fired today, the breaker will ${onLimit === "block_fleet" ? "block the whole fleet" : "suspend this agent"} within 30 seconds. Save again to confirm.`,
      );
      return;
    }
    setConfirmTrip(null);
    const res = await run<{ dailyUsd: string }>(setAction, input, ZBudgetSet, { toast: (d) => ({ text: `Budget saved: ${fmtUsd(d.dailyUsd)} a day.` }) });
    if (!res) return;
    setSaved(`Saved: ${fmtUsd(res.dailyUsd)} a day.`);
    router.refresh();
  }

  async function onDelete() {
    if (!budget || !deleteAction) return;
    setNotice(null);
    const res = await run(deleteAction, { id: budget.id }, undefined, { toast: { text: "Budget deleted." }, errorToast: true });
    if (res === null) return;
    setConfirmDelete(false);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={isFleet ? "Fleet budget" : "Agent budget"}>
      {agentId === undefined && (
        <Field label="Agent" htmlFor={id("agent")} errors={errors.agentId}>
          <Select id={id("agent")} name="agentId" defaultValue="" aria-invalid={!!errors.agentId}>
            <option value="" disabled>
              Choose an agent…
            </option>
            {(agents ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      {agentId !== undefined && errors.agentId && <FormError text={errors.agentId[0]} />}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Daily budget (USD)" htmlFor={id("usd")} errors={errors.dailyUsd} hint="Per UTC day; cents allowed.">
          <Input
            id={id("usd")}
            name="dailyUsd"
            inputMode="decimal"
            autoComplete="off"
            placeholder="25.00"
            defaultValue={budget?.dailyUsd ?? ""}
            aria-invalid={!!errors.dailyUsd}
            onChange={() => setConfirmTrip(null)}
          />
        </Field>
        <Field label="At 100 %" htmlFor={id("limit")} errors={errors.onLimit}>
          <Select
            id={id("limit")}
            name="onLimit"
            value={onLimit}
            onChange={(e) => {
              setOnLimit(e.target.value as OnLimit);
              setConfirmTrip(null);
            }}
            aria-invalid={!!errors.onLimit}
          >
            {choices.map((o) => (
              <option key={o} value={o}>
                {ON_LIMIT_LABELS[o]}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <p className={`text-xs ${onLimit === "block_fleet" ? "font-medium text-red-700 dark:text-red-300" : "text-slate-600 dark:text-slate-400"}`}>
        {CONSEQUENCE[onLimit]} Alerts fire at 50, 75, 90 and 100 %, each once a day.
      </p>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="enabled" defaultChecked={budget?.enabled ?? true} /> Enabled (a disabled budget never fires)
      </label>
      {errors.enabled && <FormError text={errors.enabled[0]} />}
      {confirmTrip && (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
          {confirmTrip}
        </p>
      )}
      <FormError text={notice?.tone === "error" ? notice.text : null} />
      {saved && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
          {saved}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" pending={pending} variant={confirmTrip ? "danger" : "primary"}>
          {pending ? "Saving…" : confirmTrip ? "Save anyway" : budget ? "Save budget" : "Set budget"}
        </Button>
        {budget && deleteAction && !confirmDelete && (
          <Button variant="ghost" onClick={() => setConfirmDelete(true)}>
            Delete budget…
          </Button>
        )}
        {budget && deleteAction && confirmDelete && (
          <span role="group" aria-label="Confirm deletion" className="flex items-center gap-2 text-sm">
            <span>Delete this budget and its alert history? The breaker stops watching {isFleet ? "the fleet" : "this agent"}.</span>
            <Button variant="danger" pending={pending} onClick={onDelete}>
              Delete
            </Button>
            <Button variant="ghost" onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
          </span>
        )}
      </div>
    </form>
  );
}
