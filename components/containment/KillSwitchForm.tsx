"use client";
import { useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { useToast } from "@/components/ui/Toaster";
import { Field, Input, Select } from "@/components/ui/Field";
import type { ServerAction } from "@/components/admin/types";
import { ACTIONS_BY_SCOPE, ACTION_LABELS, SCOPE_LABELS } from "./labels";

type Targets = { tools: string[]; agents: { id: string; name: string; gateway: string | null }[]; gateways: { id: string; name: string }[] };
type Radius = { label: string; target: string; gateways: { id: string; name: string }[]; agents: { id: string; name: string }[] };
type Errors = Record<string, string[]>;

/**
 * The kill switch: choose scope, target and action, give a reason, review the blast radius, then
 * confirm by typing the target's name. Nothing is sent before the typed confirmation.
 */
export function KillSwitchForm({
  targets,
  preview,
  contain,
  initial,
}: {
  targets: Targets;
  preview: ServerAction;
  contain: ServerAction;
  initial?: { scope?: string; target?: string; incidentId?: string; incidentTitle?: string };
}) {
  const router = useRouter();
  const [scope, setScope] = useState(initial?.scope && ACTIONS_BY_SCOPE[initial.scope] ? initial.scope : "agent");
  const [target, setTarget] = useState(initial?.target ?? "");
  const [action, setAction] = useState(ACTIONS_BY_SCOPE[scope][0]);
  const [reason, setReason] = useState("");
  const [cronOff, setCronOff] = useState(false);
  const [radius, setRadius] = useState<Radius | null>(null);
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const toast = useToast();

  const options = useMemo(() => {
    if (scope === "tool") return targets.tools.map((t) => ({ value: t, label: t }));
    if (scope === "agent") return targets.agents.map((a) => ({ value: a.id, label: `${a.name}${a.gateway ? ` (${a.gateway})` : ""}` }));
    if (scope === "gateway") return targets.gateways.map((g) => ({ value: g.id, label: g.name }));
    return [{ value: "fleet", label: "Every gateway and agent" }];
  }, [scope, targets]);

  function onScope(next: string) {
    setScope(next);
    setAction(ACTIONS_BY_SCOPE[next][0]);
    setTarget(next === "fleet" ? "fleet" : "");
    setRadius(null);
    setConfirm("");
    setErrors({});
  }

  async function onReview() {
    setMessage(null);
    const errs: Errors = {};
    if (!target) errs.target = ["Choose what to contain."];
    if (reason.trim().length < 5) errs.reason = ["Give a reason of at least 5 characters (it is recorded and sent to the gateways)."];
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setPending(true);
    const res = await preview({ scope, target });
    setPending(false);
    if (!res.ok) {
      setErrors(res.fieldErrors ?? {});
      setMessage(res.error);
      return;
    }
    setRadius(res.data as Radius);
    setConfirm("");
  }

  async function onContain() {
    if (!radius) return;
    setPending(true);
    setMessage(null);
    let res: Awaited<ReturnType<typeof contain>>;
    try {
      res = await contain({ scope, target, action, reason, confirm, ...(scope === "agent" ? { options: { cronOff } } : {}), ...(initial?.incidentId ? { incidentId: initial.incidentId } : {}) });
    } catch {
      setMessage("Warden could not be reached. Nothing was sent; try again.");
      return;
    } finally {
      setPending(false);
    }
    if (!res.ok) {
      setErrors(res.fieldErrors ?? {});
      setMessage(res.error);
      return;
    }
    const id = (res.data as { id: string }).id;
    toast({
      text: `${ACTION_LABELS[action]} sent to ${radius.gateways.length} gateway${radius.gateways.length === 1 ? "" : "s"}; acknowledgements follow on its page.`,
      href: `/containment/${id}`,
      linkLabel: "Open containment",
    });
    router.push(`/containment/${id}`);
  }

  const locked = radius !== null;
  return (
    <div className="space-y-4">
      {initial?.incidentId && (
        <p className="rounded-md bg-slate-100 p-2 text-sm dark:bg-slate-800">
          Part of incident{" "}
          <a className="underline" href={`/incidents/${initial.incidentId}`}>
            {initial.incidentTitle ?? initial.incidentId}
          </a>
          : the action and every gateway&apos;s acknowledgement go on its timeline.
        </p>
      )}
      <fieldset disabled={locked || pending} className="grid gap-4 md:grid-cols-2">
        <legend className="sr-only">Kill switch</legend>
        <Field label="Scope" htmlFor="ks-scope">
          <Select id="ks-scope" value={scope} onChange={(e) => onScope(e.target.value)}>
            {Object.entries(SCOPE_LABELS).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Target" htmlFor="ks-target" errors={errors.target}>
          <Select id="ks-target" value={target} onChange={(e) => setTarget(e.target.value)} aria-invalid={!!errors.target}>
            {scope !== "fleet" && <option value="">Choose…</option>}
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Action" htmlFor="ks-action" errors={errors.action}>
          <Select id="ks-action" value={action} onChange={(e) => setAction(e.target.value)}>
            {ACTIONS_BY_SCOPE[scope].map((a) => (
              <option key={a} value={a}>
                {ACTION_LABELS[a]}
              </option>
            ))}
          </Select>
        </Field>
        {scope === "agent" ? (
          <label className="flex items-center gap-2 self-end pb-2 text-sm">
            <input type="checkbox" checked={cronOff} onChange={(e) => setCronOff(e.target.checked)} /> Also turn off its cron jobs
          </label>
        ) : (
          <div />
        )}
        <div className="md:col-span-2">
          <Field label="Reason (recorded in the audit trail and sent to the gateways)" htmlFor="ks-reason" errors={errors.reason}>
            <textarea
              id="ks-reason"
              rows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={!!errors.reason}
              className="block w-full rounded-md border border-slate-300 bg-white p-2 text-sm dark:border-slate-700 dark:bg-slate-950"
              placeholder="e.g. vendor breach advisory VSA-2026-11; agent exfiltrating to unknown host"
            />
          </Field>
        </div>
      </fieldset>
      {message && (
        <p role="alert" className="text-sm text-red-600">
          {message}
        </p>
      )}
      {!locked ? (
        <Button variant="danger" onClick={onReview} pending={pending}>
          {pending ? "Checking…" : "Review blast radius"}
        </Button>
      ) : (
        <div className="space-y-3 rounded-lg border-2 border-red-300 bg-red-50 p-4 dark:border-red-800 dark:bg-red-950/30" role="region" aria-label="Blast radius">
          <p className="font-semibold text-red-800 dark:text-red-300">
            {ACTION_LABELS[action]} — {SCOPE_LABELS[scope].toLowerCase()} <span className="font-mono">{radius.label}</span>
          </p>
          <p className="text-sm">
            Reaches <strong data-testid="radius-gateways">{radius.gateways.length}</strong> gateway{radius.gateways.length === 1 ? "" : "s"} and affects{" "}
            <strong data-testid="radius-agents">{radius.agents.length}</strong> agent{radius.agents.length === 1 ? "" : "s"}.
          </p>
          <div className="grid gap-2 text-xs md:grid-cols-2">
            <div>
              <span className="font-medium">Gateways:</span> {radius.gateways.map((g) => g.name).join(", ") || "none registered"}
            </div>
            <div>
              <span className="font-medium">Agents:</span>{" "}
              {radius.agents
                .slice(0, 30)
                .map((a) => a.name)
                .join(", ") || "none"}
              {radius.agents.length > 30 ? ` and ${radius.agents.length - 30} more` : ""}
            </div>
          </div>
          {radius.gateways.length === 0 && (
            <p className="text-sm text-amber-700 dark:text-amber-300">No gateway is connected for this target: the action is recorded but nothing can enforce it yet.</p>
          )}
          <Field label={`Type "${radius.label}" to confirm`} htmlFor="ks-confirm" errors={errors.confirm}>
            <Input id="ks-confirm" value={confirm} autoComplete="off" onChange={(e) => setConfirm(e.target.value)} aria-invalid={!!errors.confirm} />
          </Field>
          <div className="flex gap-2">
            <Button variant="danger" onClick={onContain} pending={pending} disabled={confirm.trim() !== radius.label}>
              {pending ? "Containing…" : "Contain now"}
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setRadius(null);
                setConfirm("");
                setMessage(null);
              }}
            >
              Back
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
