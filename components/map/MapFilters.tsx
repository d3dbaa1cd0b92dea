"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/Button";
import { Select } from "@/components/ui/Field";
import { APPROVAL_LABELS, APPROVAL_STATES, CLASSIFICATIONS, type TMapFilters } from "@/lib/map/schema";

/**
 * Map filters, kept in the URL. A plain GET form, so it also works before the page is
 * interactive; with JavaScript, empty filters are left out of the URL.
 */
export function MapFilters({ agents, initial }: { agents: { id: string; name: string }[]; initial: TMapFilters }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const active = Boolean(initial.agent || initial.sensitivity || initial.status);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const params = new URLSearchParams();
    for (const k of ["agent", "sensitivity", "status"]) {
      const v = String(form.get(k) ?? "");
      if (v) params.set(k, v);
    }
    const qs = params.toString();
    startTransition(() => router.push(qs ? `/map?${qs}` : "/map"));
  }

  return (
    <form method="get" action="/map" role="search" aria-label="Filter the map" onSubmit={onSubmit} className="mb-4 flex flex-wrap items-end gap-2" aria-busy={pending}>
      <label className="text-sm">
        <span className="mb-1 block">Agent</span>
        <Select name="agent" defaultValue={initial.agent ?? ""} key={`a-${initial.agent ?? ""}`}>
          <option value="">all agents</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </Select>
      </label>
      <label className="text-sm">
        <span className="mb-1 block">Sensitivity</span>
        <Select name="sensitivity" defaultValue={initial.sensitivity ?? ""} key={`s-${initial.sensitivity ?? ""}`}>
          <option value="">any data</option>
          {CLASSIFICATIONS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
      </label>
      <label className="text-sm">
        <span className="mb-1 block">Status</span>
        <Select name="status" defaultValue={initial.status ?? ""} key={`t-${initial.status ?? ""}`}>
          <option value="">any status</option>
          {APPROVAL_STATES.map((s) => (
            <option key={s} value={s}>
              {APPROVAL_LABELS[s]}
            </option>
          ))}
        </Select>
      </label>
      <Button type="submit">Apply</Button>
      {active && (
        <Link href="/map" className="px-2 py-2 text-sm text-brand-600 hover:underline dark:text-brand-100">
          Clear filters
        </Link>
      )}
      {pending && (
        <span role="status" className="py-2 text-sm text-slate-500">
          Loading…
        </span>
      )}
    </form>
  );
}
