"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/Button";
import { Input, Select } from "@/components/ui/Field";
import { AUDIT_ACTION_GROUPS, describeAuditAction } from "@/lib/audit/actions";

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
        <span className="mb-1 block">Action</span>
        {/* The one vocabulary (lib/audit/actions.ts): a whole category or one action. */}
        <Select name="action" defaultValue={initial.action}>
          <option value="">any</option>
          {AUDIT_ACTION_GROUPS.map((g) => (
            <optgroup key={g.category} label={g.category === "read" ? "denied reads" : g.category}>
              <option value={g.prefix}>{`all ${g.prefix}*`}</option>
              {g.actions.map((a) => (
                <option key={a} value={a} title={describeAuditAction(a)}>
                  {a}
                </option>
              ))}
            </optgroup>
          ))}
        </Select>
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
