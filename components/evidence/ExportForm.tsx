"use client";
import { useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Field, Input } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormNotice";
import { useActionForm } from "@/components/ui/useActionForm";
import { Notice } from "@/components/integrations/Notice";
import type { ServerAction } from "@/components/admin/types";
import { DAY_MS, MAX_EXPORT_DAYS, ZEvidenceExport } from "@/lib/evidence/schema";

type Option = { id: string; name: string; gatewayId?: string | null };
const PRESETS = { "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS } as const;
type Preset = keyof typeof PRESETS | "custom";
const PRESET_LABELS: Record<Preset, string> = { "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", custom: "Custom (UTC)" };

/** `YYYY-MM-DDTHH:mm` for a datetime-local input, in UTC (the console shows UTC everywhere). */
const toInput = (iso: string) => iso.slice(0, 16);
/** A datetime-local value read as UTC; "" when empty or malformed (the schema then names the field). */
function fromInput(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) return v;
  const d = new Date(`${v.length === 16 ? `${v}:00` : v}Z`);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

/**
 * Start an evidence export: a window (presets or a custom UTC range, prefilled from ?from=&to=)
 * and optional gateway/agent filters. Validates with the server's schema; the server decides.
 */
export function ExportForm({ action, gateways, agents, initialFrom, initialTo }: { action: ServerAction; gateways: Option[]; agents: Option[]; initialFrom?: string; initialTo?: string }) {
  const router = useRouter();
  const { errors, setErrors, notice, setNotice, pending, run } = useActionForm();
  const [preset, setPreset] = useState<Preset>(initialFrom || initialTo ? "custom" : "24h");
  const [from, setFrom] = useState(initialFrom ? toInput(initialFrom) : "");
  const [to, setTo] = useState(initialTo ? toInput(initialTo) : "");
  const [gatewayIds, setGatewayIds] = useState<Set<string>>(new Set());
  const [agentIds, setAgentIds] = useState<Set<string>>(new Set());
  const [agentQuery, setAgentQuery] = useState("");

  const visibleAgents = useMemo(() => {
    const q = agentQuery.trim().toLowerCase();
    return agents.filter((a) => (!q || a.name.toLowerCase().includes(q)) && (gatewayIds.size === 0 || (a.gatewayId && gatewayIds.has(a.gatewayId)) || agentIds.has(a.id)));
  }, [agents, agentQuery, gatewayIds, agentIds]);

  const toggle = (set: Set<string>, id: string, update: (s: Set<string>) => void) => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    update(next);
  };

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setNotice(null);
    let range: { from: string; to: string };
    if (preset === "custom") {
      if (!from || !to) return setErrors({ ...(from ? {} : { from: ["Choose a start."] }), ...(to ? {} : { to: ["Choose an end."] }) });
      range = { from: fromInput(from), to: fromInput(to) };
    } else {
      const now = Date.now();
      range = { from: new Date(now - PRESETS[preset]).toISOString(), to: new Date(now).toISOString() };
    }
    const input = { ...range, ...(gatewayIds.size ? { gatewayIds: [...gatewayIds] } : {}), ...(agentIds.size ? { agentIds: [...agentIds] } : {}) };
    const started = await run<{ id: string }>(action, input, ZEvidenceExport, {
      toast: (d) => ({ text: "Evidence export started; it builds in the background.", href: `/audit/evidence#export-${d.id}`, linkLabel: "Follow its progress" }),
    });
    if (!started) return;
    setNotice({ tone: "ok", text: "Export started. It builds in the background; the list below shows its progress." });
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="New evidence export" className="space-y-5">
      <fieldset>
        <legend className="mb-2 text-sm font-medium">Window</legend>
        <div className="flex flex-wrap gap-2" role="radiogroup" aria-label="Window">
          {(Object.keys(PRESET_LABELS) as Preset[]).map((p) => (
            <label
              key={p}
              className={`cursor-pointer rounded-md border px-3 py-1.5 text-sm ${preset === p ? "border-brand-600 bg-brand-50 text-brand-700 dark:bg-brand-700/20 dark:text-brand-100" : "border-slate-300 dark:border-slate-700"}`}
            >
              <input type="radio" name="preset" value={p} checked={preset === p} onChange={() => setPreset(p)} className="sr-only" />
              {PRESET_LABELS[p]}
            </label>
          ))}
        </div>
        {preset === "custom" && (
          <div className="mt-3 grid gap-4 sm:grid-cols-2">
            <Field label="From (UTC)" htmlFor="evidence-from" errors={errors.from}>
              <Input id="evidence-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} aria-invalid={Boolean(errors.from)} />
            </Field>
            <Field label="To (UTC)" htmlFor="evidence-to" errors={errors.to} hint={`At most ${MAX_EXPORT_DAYS} days after the start.`}>
              <Input id="evidence-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} aria-invalid={Boolean(errors.to)} />
            </Field>
          </div>
        )}
        {preset !== "custom" && <FormError text={[...(errors.from ?? []), ...(errors.to ?? [])].join(" ")} className="mt-2" />}
      </fieldset>

      <div className="grid gap-4 md:grid-cols-2">
        <fieldset>
          <legend className="mb-1 text-sm font-medium">
            Gateways <span className="font-normal text-slate-500">(optional; none = all)</span>
          </legend>
          <p className="mb-2 text-xs text-slate-500">Narrows tool calls, containment deliveries and allowlists to these gateways.</p>
          <CheckList options={gateways} selected={gatewayIds} onToggle={(id) => toggle(gatewayIds, id, setGatewayIds)} empty="No gateways registered." label="Gateways" />
          <FormError text={errors.gatewayIds?.join(" ")} className="mt-1" />
        </fieldset>
        <fieldset>
          <legend className="mb-1 text-sm font-medium">
            Agents <span className="font-normal text-slate-500">(optional; none = all)</span>
          </legend>
          <label htmlFor="evidence-agent-q" className="sr-only">
            Filter agents
          </label>
          <Input id="evidence-agent-q" type="search" placeholder="Filter agents…" value={agentQuery} onChange={(e) => setAgentQuery(e.target.value)} className="mb-2" />
          <CheckList
            options={visibleAgents}
            selected={agentIds}
            onToggle={(id) => toggle(agentIds, id, setAgentIds)}
            empty={agents.length ? "No agent matches." : "No agents registered."}
            label="Agents"
          />
          <FormError text={errors.agentIds?.join(" ")} className="mt-1" />
        </fieldset>
      </div>

      <FormError text={errors._?.join(" ")} />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" pending={pending}>
          {pending ? "Starting…" : "Export signed evidence"}
        </Button>
        <span className="text-xs text-slate-500">
          {gatewayIds.size || agentIds.size ? `${gatewayIds.size || "all"} gateway(s), ${agentIds.size || "all"} agent(s)` : "All gateways and agents"} · includes tool-call parameters and results
        </span>
      </div>
      <Notice notice={notice} />
    </form>
  );
}

function CheckList({ options, selected, onToggle, empty, label }: { options: Option[]; selected: Set<string>; onToggle: (id: string) => void; empty: string; label: string }) {
  if (options.length === 0) return <p className="text-sm text-slate-500">{empty}</p>;
  return (
    <div role="group" aria-label={label} className="max-h-48 space-y-1 overflow-y-auto rounded-md border border-slate-200 p-2 dark:border-slate-800">
      {options.map((o) => (
        <label key={o.id} className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={selected.has(o.id)} onChange={() => onToggle(o.id)} />
          <span className="truncate">{o.name}</span>
        </label>
      ))}
    </div>
  );
}
