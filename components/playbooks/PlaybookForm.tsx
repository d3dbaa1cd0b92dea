"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input, Select } from "@/components/ui/Field";
import { useActionForm } from "@/components/ui/useActionForm";
import { FormError } from "@/components/ui/FormNotice";
import {
  ACTION_LABELS,
  ACTION_TARGET_HINT,
  PHASE_LABELS,
  PLAYBOOK_PHASES,
  PLAYBOOK_TRIGGERS,
  SEVERITIES,
  SPEND_PERCENTS,
  STEP_ACTION_TYPES,
  TRIGGER_HELP,
  TRIGGER_LABELS,
  ZPlaybookCreate,
  ZPlaybookUpdate,
  type PlaybookPhaseName,
  type PlaybookTriggerName,
  type StepActionType,
} from "@/lib/playbooks/schema";
import { EMPTY_PLAYBOOK, textareaClass, type ContactValue, type FormChoices, type PlaybookFormValues, type ServerAction, type StepValue } from "./types";

let seq = 0;
const newKey = (p: string) => `${p}-new-${++seq}`;

/** Steps in run order: by phase, keeping the order within a phase (the order that is submitted). */
function ordered(steps: StepValue[]): StepValue[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => PLAYBOOK_PHASES.indexOf(a.s.phase) - PLAYBOOK_PHASES.indexOf(b.s.phase) || a.i - b.i)
    .map((x) => x.s);
}

/** Form values → the API's input (the same object the zod schema and the server see). */
function toInput(v: PlaybookFormValues) {
  const c = v.config;
  const sev = c.severity ? { severity: c.severity } : {};
  const cfg: Record<PlaybookTriggerName, Record<string, unknown>> = {
    manual: { ...sev },
    vendor_advisory: { ...(c.follow === "integration" ? { integrationId: c.integrationId } : c.follow === "tool" ? { toolName: c.toolName } : {}), ...sev },
    spend_threshold: { percent: c.percent, ...(c.agentId ? { agentId: c.agentId } : {}), ...sev },
    unapproved_burst: { count: c.count, minutes: c.minutes, ...sev },
    hash_drift: { ...(c.toolName.trim() ? { toolName: c.toolName } : {}), ...sev },
  };
  return {
    name: v.name,
    description: v.description,
    trigger: v.trigger,
    triggerConfig: cfg[v.trigger],
    contacts: v.contacts.map((x) => ({ kind: x.kind, name: x.name, email: x.email, phone: x.phone })),
    breakGlass: v.breakGlass,
    steps: ordered(v.steps).map((s) => ({
      ...(s.id ? { id: s.id } : {}),
      phase: s.phase,
      title: s.title,
      detail: s.detail,
      action: s.actionType ? { type: s.actionType, target: s.actionTarget } : null,
    })),
  };
}

/**
 * Create or edit a playbook: trigger and its settings, contacts, break-glass notes and the steps of
 * each phase with their optional automated actions. Validates with the server's zod schema first;
 * the server still decides (and checks that named agents and integrations exist).
 */
export function PlaybookForm({
  mode,
  action,
  id,
  initial = EMPTY_PLAYBOOK,
  choices,
}: {
  mode: "create" | "edit";
  action: ServerAction;
  id?: string;
  initial?: PlaybookFormValues;
  choices: FormChoices;
}) {
  const router = useRouter();
  const { errors, notice, pending, run } = useActionForm();
  const [v, setV] = useState<PlaybookFormValues>({ ...initial, steps: ordered(initial.steps) });
  const f = (k: string) => `pb-${mode}-${k}`;
  const err = (k: string) => errors[k];

  const set = <K extends keyof PlaybookFormValues>(k: K, value: PlaybookFormValues[K]) => setV((cur) => ({ ...cur, [k]: value }));
  const setConfig = (patch: Partial<PlaybookFormValues["config"]>) => setV((cur) => ({ ...cur, config: { ...cur.config, ...patch } }));
  const setStep = (key: string, patch: Partial<StepValue>) => setV((cur) => ({ ...cur, steps: cur.steps.map((s) => (s.key === key ? { ...s, ...patch } : s)) }));
  const setContact = (key: string, patch: Partial<ContactValue>) => setV((cur) => ({ ...cur, contacts: cur.contacts.map((c) => (c.key === key ? { ...c, ...patch } : c)) }));

  function addStep(phase: PlaybookPhaseName) {
    const key = newKey("step");
    setV((cur) => ({ ...cur, steps: ordered([...cur.steps, { key, phase, title: "", detail: "", actionType: "", actionTarget: "" }]) }));
    // Focus the new step's title once rendered.
    requestAnimationFrame(() => document.getElementById(f(`step-${key}-title`))?.focus());
  }
  function moveStep(key: string, dir: -1 | 1) {
    setV((cur) => {
      const steps = [...cur.steps];
      const i = steps.findIndex((s) => s.key === key);
      const j = i + dir;
      if (j < 0 || j >= steps.length || steps[j].phase !== steps[i].phase) return cur;
      [steps[i], steps[j]] = [steps[j], steps[i]];
      return { ...cur, steps };
    });
    requestAnimationFrame(() => document.getElementById(f(`step-${key}-${dir < 0 ? "up" : "down"}`))?.focus());
  }
  /** A step moved to another phase goes to the end of that phase. */
  function changePhase(key: string, phase: PlaybookPhaseName) {
    setV((cur) => {
      const step = cur.steps.find((s) => s.key === key)!;
      return { ...cur, steps: ordered([...cur.steps.filter((s) => s.key !== key), { ...step, phase }]) };
    });
  }
  const removeStep = (key: string) => setV((cur) => ({ ...cur, steps: cur.steps.filter((s) => s.key !== key) }));

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const input = toInput(v);
    if (mode === "create") {
      const saved = await run<{ id: string }>(action, input, ZPlaybookCreate, { toast: (d) => ({ text: "Playbook created.", href: `/playbooks/${d.id}`, linkLabel: "Open playbook" }) });
      if (saved) router.push(`/playbooks/${saved.id}`);
      return;
    }
    const saved = await run<{ id: string }>(action, { id, ...input }, ZPlaybookUpdate, { toast: { text: "Playbook saved." } });
    if (saved) {
      router.push(`/playbooks/${id}`);
      router.refresh();
    }
  }

  const c = v.config;
  const configErrors = err("triggerConfig");
  return (
    <form onSubmit={onSubmit} className="space-y-8" noValidate aria-label={mode === "create" ? "New playbook" : "Edit playbook"}>
      <datalist id={f("tools")}>
        {choices.tools.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <datalist id={f("agents")}>
        {choices.agents.map((a) => (
          <option key={a.id} value={a.name} />
        ))}
      </datalist>
      <datalist id={f("integrations")}>
        {choices.integrations.map((i) => (
          <option key={i.id} value={i.name} />
        ))}
      </datalist>

      <fieldset className="grid gap-4 md:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Playbook</legend>
        <Field label="Name" htmlFor={f("name")} errors={err("name")} hint="e.g. Compromised vendor">
          <Input id={f("name")} value={v.name} onChange={(e) => set("name", e.target.value)} aria-invalid={Boolean(err("name"))} required />
        </Field>
        <div className="md:col-span-2">
          <Field label="Description" htmlFor={f("description")} errors={err("description")} hint="The situation this playbook answers, in a sentence or two.">
            <textarea id={f("description")} rows={2} value={v.description} onChange={(e) => set("description", e.target.value)} aria-invalid={Boolean(err("description"))} className={textareaClass} />
          </Field>
        </div>
      </fieldset>

      <fieldset className="grid gap-4 md:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Trigger</legend>
        <Field label="Fires on" htmlFor={f("trigger")} errors={err("trigger")} hint={TRIGGER_HELP[v.trigger]}>
          <Select id={f("trigger")} value={v.trigger} onChange={(e) => set("trigger", e.target.value as PlaybookTriggerName)}>
            {PLAYBOOK_TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {TRIGGER_LABELS[t]}
              </option>
            ))}
          </Select>
        </Field>
        {v.trigger === "vendor_advisory" && (
          <>
            <Field label="Follow" htmlFor={f("follow")} errors={undefined}>
              <Select id={f("follow")} value={c.follow} onChange={(e) => setConfig({ follow: e.target.value as typeof c.follow })}>
                <option value="any">Any integration or tool</option>
                <option value="integration">One integration</option>
                <option value="tool">One tool</option>
              </Select>
            </Field>
            {c.follow === "integration" && (
              <Field label="Integration" htmlFor={f("integrationId")} errors={err("triggerConfig.integrationId")}>
                <Select id={f("integrationId")} value={c.integrationId} onChange={(e) => setConfig({ integrationId: e.target.value })} aria-invalid={Boolean(err("triggerConfig.integrationId"))}>
                  <option value="">Choose…</option>
                  {choices.integrations.map((i) => (
                    <option key={i.id} value={i.id}>
                      {i.name}
                    </option>
                  ))}
                </Select>
              </Field>
            )}
            {c.follow === "tool" && (
              <Field label="Tool" htmlFor={f("adv-tool")} errors={err("triggerConfig.toolName")}>
                <Input id={f("adv-tool")} list={f("tools")} value={c.toolName} onChange={(e) => setConfig({ toolName: e.target.value })} aria-invalid={Boolean(err("triggerConfig.toolName"))} />
              </Field>
            )}
          </>
        )}
        {v.trigger === "spend_threshold" && (
          <>
            <Field label="Threshold" htmlFor={f("percent")} errors={err("triggerConfig.percent")} hint="Percent of the daily budget.">
              <Select id={f("percent")} value={c.percent} onChange={(e) => setConfig({ percent: e.target.value })} aria-invalid={Boolean(err("triggerConfig.percent"))}>
                {SPEND_PERCENTS.map((p) => (
                  <option key={p} value={String(p)}>
                    {p} %
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Budget" htmlFor={f("agentId")} errors={err("triggerConfig.agentId")}>
              <Select id={f("agentId")} value={c.agentId} onChange={(e) => setConfig({ agentId: e.target.value })} aria-invalid={Boolean(err("triggerConfig.agentId"))}>
                <option value="">The fleet budget</option>
                {choices.agents.map((a) => (
                  <option key={a.id} value={a.id}>
                    Agent {a.name}
                  </option>
                ))}
              </Select>
            </Field>
          </>
        )}
        {v.trigger === "unapproved_burst" && (
          <>
            <Field label="Blocked calls (at least)" htmlFor={f("count")} errors={err("triggerConfig.count")}>
              <Input
                id={f("count")}
                type="number"
                min={1}
                inputMode="numeric"
                value={c.count}
                onChange={(e) => setConfig({ count: e.target.value })}
                aria-invalid={Boolean(err("triggerConfig.count"))}
              />
            </Field>
            <Field label="Within (minutes)" htmlFor={f("minutes")} errors={err("triggerConfig.minutes")}>
              <Input
                id={f("minutes")}
                type="number"
                min={1}
                max={1440}
                inputMode="numeric"
                value={c.minutes}
                onChange={(e) => setConfig({ minutes: e.target.value })}
                aria-invalid={Boolean(err("triggerConfig.minutes"))}
              />
            </Field>
          </>
        )}
        {v.trigger === "hash_drift" && (
          <Field label="Tool (optional)" htmlFor={f("drift-tool")} errors={err("triggerConfig.toolName")} hint="Empty: any tool.">
            <Input id={f("drift-tool")} list={f("tools")} value={c.toolName} onChange={(e) => setConfig({ toolName: e.target.value })} aria-invalid={Boolean(err("triggerConfig.toolName"))} />
          </Field>
        )}
        <Field label="Incident severity" htmlFor={f("severity")} errors={err("triggerConfig.severity")} hint="Of the incident it opens when it fires.">
          <Select id={f("severity")} value={c.severity} onChange={(e) => setConfig({ severity: e.target.value as typeof c.severity })}>
            <option value="">high (default)</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </Field>
        {configErrors && (
          <p role="alert" className="text-sm text-red-600 md:col-span-3">
            {configErrors.join(" ")}
          </p>
        )}
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="mb-1 text-sm font-semibold">Contacts</legend>
        <p className="text-xs text-slate-500">Who to call: the vendor’s security contact and your on-call. Each needs an email or a phone number.</p>
        {errors.contacts && (
          <p role="alert" className="text-sm text-red-600">
            {errors.contacts.join(" ")}
          </p>
        )}
        {v.contacts.length === 0 && <p className="text-sm text-slate-500">No contacts yet.</p>}
        <ul className="space-y-3">
          {v.contacts.map((ct, i) => (
            <li key={ct.key} className="grid gap-3 rounded-lg border border-slate-200 p-3 md:grid-cols-[8rem_1fr_1fr_1fr_auto] dark:border-slate-800">
              <Field label="Kind" htmlFor={f(`c-${ct.key}-kind`)} errors={err(`contacts.${i}.kind`)}>
                <Select id={f(`c-${ct.key}-kind`)} value={ct.kind} onChange={(e) => setContact(ct.key, { kind: e.target.value as ContactValue["kind"] })}>
                  <option value="vendor">Vendor</option>
                  <option value="oncall">On-call</option>
                </Select>
              </Field>
              <Field label="Name" htmlFor={f(`c-${ct.key}-name`)} errors={err(`contacts.${i}.name`)}>
                <Input id={f(`c-${ct.key}-name`)} value={ct.name} onChange={(e) => setContact(ct.key, { name: e.target.value })} aria-invalid={Boolean(err(`contacts.${i}.name`))} />
              </Field>
              <Field label="Email" htmlFor={f(`c-${ct.key}-email`)} errors={err(`contacts.${i}.email`)}>
                <Input id={f(`c-${ct.key}-email`)} type="email" value={ct.email} onChange={(e) => setContact(ct.key, { email: e.target.value })} aria-invalid={Boolean(err(`contacts.${i}.email`))} />
              </Field>
              <Field label="Phone" htmlFor={f(`c-${ct.key}-phone`)} errors={err(`contacts.${i}.phone`)}>
                <Input id={f(`c-${ct.key}-phone`)} type="tel" value={ct.phone} onChange={(e) => setContact(ct.key, { phone: e.target.value })} aria-invalid={Boolean(err(`contacts.${i}.phone`))} />
              </Field>
              <div className="flex items-end">
                <Button
                  variant="ghost"
                  onClick={() =>
                    set(
                      "contacts",
                      v.contacts.filter((x) => x.key !== ct.key),
                    )
                  }
                  aria-label={`Remove contact ${ct.name || i + 1}`}
                >
                  Remove
                </Button>
              </div>
            </li>
          ))}
        </ul>
        <Button variant="secondary" onClick={() => set("contacts", [...v.contacts, { key: newKey("contact"), kind: "oncall", name: "", email: "", phone: "" }])}>
          Add contact
        </Button>
      </fieldset>

      <fieldset>
        <legend className="mb-1 text-sm font-semibold">Break-glass access</legend>
        <Field
          label="How to act when Warden or a gateway is unreachable"
          htmlFor={f("breakGlass")}
          errors={err("breakGlass")}
          hint="Where the emergency credentials are, who holds them, the commands to stop a gateway. No secrets here: say where they are kept."
        >
          <textarea
            id={f("breakGlass")}
            rows={5}
            value={v.breakGlass}
            onChange={(e) => set("breakGlass", e.target.value)}
            aria-invalid={Boolean(err("breakGlass"))}
            className={`${textareaClass} font-mono`}
          />
        </Field>
      </fieldset>

      <fieldset className="space-y-4">
        <legend className="mb-1 text-sm font-semibold">Steps</legend>
        <p className="text-xs text-slate-500">
          Steps run phase by phase. A step may carry an automated action, run when the playbook fires (never during a drill). Time to contain is measured to the last containment step.
        </p>
        {errors.steps && (
          <p role="alert" className="text-sm text-red-600">
            {errors.steps.join(" ")}
          </p>
        )}
        {PLAYBOOK_PHASES.map((phase) => {
          const inPhase = v.steps.map((s, index) => ({ s, index })).filter((x) => x.s.phase === phase);
          return (
            <section key={phase} aria-labelledby={f(`phase-${phase}`)} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
              <div className="mb-2 flex items-center justify-between gap-3">
                <h3 id={f(`phase-${phase}`)} className="text-sm font-semibold">
                  {PHASE_LABELS[phase]} <span className="font-normal text-slate-500">({inPhase.length})</span>
                </h3>
                <Button variant="secondary" onClick={() => addStep(phase)}>
                  Add {PHASE_LABELS[phase].toLowerCase()} step
                </Button>
              </div>
              {inPhase.length === 0 && <p className="text-sm text-slate-500">No steps in this phase.</p>}
              <ol className="space-y-3">
                {inPhase.map(({ s, index }, n) => {
                  const p = (k: string) => `steps.${index}.${k}`;
                  const targetErr = err(p("action.target"));
                  return (
                    <li key={s.key} className="grid gap-3 rounded-md bg-slate-50 p-3 md:grid-cols-2 dark:bg-slate-800/40" aria-label={`${PHASE_LABELS[phase]} step ${n + 1}`}>
                      <Field label={`Step ${n + 1}: title`} htmlFor={f(`step-${s.key}-title`)} errors={err(p("title")) ?? err(p("id"))}>
                        <Input id={f(`step-${s.key}-title`)} value={s.title} onChange={(e) => setStep(s.key, { title: e.target.value })} aria-invalid={Boolean(err(p("title")))} />
                      </Field>
                      <Field label="Phase" htmlFor={f(`step-${s.key}-phase`)} errors={err(p("phase"))}>
                        <Select id={f(`step-${s.key}-phase`)} value={s.phase} onChange={(e) => changePhase(s.key, e.target.value as PlaybookPhaseName)}>
                          {PLAYBOOK_PHASES.map((ph) => (
                            <option key={ph} value={ph}>
                              {PHASE_LABELS[ph]}
                            </option>
                          ))}
                        </Select>
                      </Field>
                      <div className="md:col-span-2">
                        <Field label="Detail" htmlFor={f(`step-${s.key}-detail`)} errors={err(p("detail"))}>
                          <textarea id={f(`step-${s.key}-detail`)} rows={2} value={s.detail} onChange={(e) => setStep(s.key, { detail: e.target.value })} className={textareaClass} />
                        </Field>
                      </div>
                      <Field label="Automated action (optional)" htmlFor={f(`step-${s.key}-action`)} errors={err(p("action")) ?? err(p("action.type"))}>
                        <Select id={f(`step-${s.key}-action`)} value={s.actionType} onChange={(e) => setStep(s.key, { actionType: e.target.value as "" | StepActionType })}>
                          <option value="">None (a manual step)</option>
                          {STEP_ACTION_TYPES.map((t) => (
                            <option key={t} value={t}>
                              {ACTION_LABELS[t]}
                            </option>
                          ))}
                        </Select>
                      </Field>
                      {s.actionType ? (
                        <Field label="Target" htmlFor={f(`step-${s.key}-target`)} errors={targetErr} hint={ACTION_TARGET_HINT[s.actionType]}>
                          <Input
                            id={f(`step-${s.key}-target`)}
                            list={s.actionType === "suspend_agent" ? f("agents") : s.actionType === "switch_fallback" ? f("integrations") : s.actionType === "notify" ? undefined : f("tools")}
                            value={s.actionTarget}
                            onChange={(e) => setStep(s.key, { actionTarget: e.target.value })}
                            aria-invalid={Boolean(targetErr)}
                          />
                        </Field>
                      ) : (
                        <div />
                      )}
                      <div className="flex flex-wrap gap-2 md:col-span-2">
                        <Button id={f(`step-${s.key}-up`)} variant="ghost" disabled={n === 0} onClick={() => moveStep(s.key, -1)} aria-label={`Move step ${n + 1} (${s.title || "untitled"}) up`}>
                          ↑ Up
                        </Button>
                        <Button
                          id={f(`step-${s.key}-down`)}
                          variant="ghost"
                          disabled={n === inPhase.length - 1}
                          onClick={() => moveStep(s.key, 1)}
                          aria-label={`Move step ${n + 1} (${s.title || "untitled"}) down`}
                        >
                          ↓ Down
                        </Button>
                        <Button variant="ghost" className="ml-auto text-red-700 dark:text-red-400" onClick={() => removeStep(s.key)} aria-label={`Remove step ${n + 1} (${s.title || "untitled"})`}>
                          Remove step
                        </Button>
                      </div>
                    </li>
                  );
                })}
              </ol>
            </section>
          );
        })}
      </fieldset>

      {errors._ && (
        <p role="alert" className="text-sm text-red-600">
          {errors._.join(" ")}
        </p>
      )}
      <div aria-live="polite">
        <FormError text={notice?.text} />
      </div>
      <div className="flex gap-3">
        <Button type="submit" pending={pending}>
          {pending ? "Saving…" : mode === "create" ? "Create playbook" : "Save playbook"}
        </Button>
        <Button variant="ghost" onClick={() => router.push(mode === "create" ? "/playbooks" : `/playbooks/${id}`)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
