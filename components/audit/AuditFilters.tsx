"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Input, Select } from "@/components/ui/Field";

export function AuditFilters({ initial }: { initial: { q: string; outcome: string; actor: string; action: string } }) {
  const router = useRouter();
  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const params = new URLSearchParams();
    for (const k of ["q", "actor", "action", "outcome"]) {
      const v = String(form.get(k) ?? "").trim();
      if (v) params.set(k, v);
    }
    router.push(`/audit?${params}`);
  }
  return (
    <form role="search" onSubmit={onSubmit} className="mb-4 flex flex-wrap items-end gap-2">
      <label className="text-sm">
        <span className="mb-1 block">Search</span>
        <Input name="q" defaultValue={initial.q} placeholder="action, actor or target id" />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">Actor</span>
        <Input name="actor" defaultValue={initial.actor} placeholder="email" />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">Action prefix</span>
        <Input name="action" defaultValue={initial.action} placeholder="user." />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">Outcome</span>
        <Select name="outcome" defaultValue={initial.outcome}>
          <option value="">any</option>
          <option value="success">success</option>
          <option value="denied">denied</option>
          <option value="failure">failure</option>
        </Select>
      </label>
      <Button type="submit">Filter</Button>
    </form>
  );
}
