"use client";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/Button";
import { Input, Select } from "@/components/ui/Field";

const RANGES = [
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
];
const OWN = ["range", "from", "to", "tool", "agent", "gateway", "decision", "person", "requester", "q"];

/**
 * The explorer's filters, all kept in the URL (so a view can be shared and the CSV exports it).
 * Selects apply at once; text fields apply on Enter or "Apply". Other params (sort, usedBy) are kept.
 */
export function ToolCallFilters({
  gateways,
  people = [],
  toolListId,
  agentListId,
}: {
  gateways: { id: string; name: string }[];
  people?: { id: string; name: string }[];
  toolListId: string;
  agentListId: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const form = useRef<HTMLFormElement>(null);
  const custom = params.has("from") || params.has("to");
  // The fields are uncontrolled. When the URL changes from elsewhere (back/forward, Reset, table
  // links) the form is re-created to show it; after our own submit it is kept, so focus stays put.
  const current = params.toString();
  const [sync, setSync] = useState({ url: current, pushed: null as string | null, generation: 0 });
  if (sync.url !== current) setSync({ url: current, pushed: null, generation: current === sync.pushed ? sync.generation : sync.generation + 1 });

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = new URLSearchParams(params.toString());
    for (const k of [...OWN, "page"]) next.delete(k);
    const data = new FormData(e.currentTarget);
    for (const k of OWN) {
      const v = String(data.get(k) ?? "").trim();
      if (v && !(k === "range" && v === "custom")) next.set(k, v);
    }
    // "Who asked" is one select: a person (person=<id>) or a kind of requester (requester=…).
    const who = String(data.get("who") ?? "");
    if (who.startsWith("person:")) next.set("person", who.slice(7));
    else if (who.startsWith("kind:")) next.set("requester", who.slice(5));
    // A custom from/to window stays until another range is picked.
    if (String(data.get("range")) === "custom") {
      for (const k of ["from", "to"]) if (params.get(k)) next.set(k, params.get(k)!);
    }
    const qs = next.toString();
    setSync((s) => ({ ...s, pushed: qs }));
    startTransition(() => router.push(qs ? `${pathname}?${qs}` : pathname));
  }

  const field = "text-sm";
  const label = "mb-1 block text-slate-700 dark:text-slate-300";
  return (
    <form
      ref={form}
      key={sync.generation}
      role="search"
      aria-label="Filter tool calls"
      onSubmit={onSubmit}
      className="mb-4 flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      aria-busy={pending}
    >
      <label className={field}>
        <span className={label}>Time range</span>
        <Select name="range" defaultValue={custom ? "custom" : (params.get("range") ?? "24h")} onChange={() => form.current?.requestSubmit()}>
          {custom && <option value="custom">Custom window</option>}
          {RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </Select>
      </label>
      <label className={field}>
        <span className={label}>Tool</span>
        <Input name="tool" list={toolListId} defaultValue={params.get("tool") ?? ""} placeholder="exact tool name" className="w-48" autoComplete="off" />
      </label>
      <label className={field}>
        <span className={label}>Agent</span>
        <Input name="agent" list={agentListId} defaultValue={params.get("agent") ?? ""} placeholder="name or id" className="w-48" autoComplete="off" />
      </label>
      <label className={field}>
        <span className={label}>Gateway</span>
        <Select name="gateway" defaultValue={params.get("gateway") ?? ""} onChange={() => form.current?.requestSubmit()}>
          <option value="">all</option>
          {gateways.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </Select>
      </label>
      <label className={field}>
        <span className={label}>Decision</span>
        <Select name="decision" defaultValue={params.get("decision") ?? ""} onChange={() => form.current?.requestSubmit()}>
          <option value="">all</option>
          <option value="allowed">allowed</option>
          <option value="blocked">blocked</option>
          <option value="not_run">not run</option>
        </Select>
      </label>
      <label className={field}>
        <span className={label}>Who asked</span>
        <Select
          name="who"
          defaultValue={params.get("person") ? `person:${params.get("person")}` : params.get("requester") ? `kind:${params.get("requester")}` : ""}
          onChange={() => form.current?.requestSubmit()}
        >
          <option value="">anyone</option>
          <option value="kind:person">any person in the directory</option>
          <option value="kind:unmapped">unmapped senders</option>
          <option value="kind:none">no requester</option>
          {people.length > 0 && (
            <optgroup label="People">
              {people.map((p) => (
                <option key={p.id} value={`person:${p.id}`}>
                  {p.name}
                </option>
              ))}
            </optgroup>
          )}
          {params.get("person") && !people.some((p) => p.id === params.get("person")) && <option value={`person:${params.get("person")}`}>this person</option>}
        </Select>
      </label>
      <label className={field}>
        <span className={label}>Text</span>
        <Input name="q" type="search" defaultValue={params.get("q") ?? ""} placeholder="tool, agent, block reason, error" className="w-64" />
      </label>
      <Button type="submit">Apply</Button>
      <Link href={pathname} className="py-2 text-sm text-brand-600 hover:underline dark:text-brand-100">
        Reset
      </Link>
      {pending && (
        <span role="status" className="py-2 text-sm text-slate-500 dark:text-slate-400">
          Loading…
        </span>
      )}
    </form>
  );
}
