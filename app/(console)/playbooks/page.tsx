import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listPlaybooks } from "@/lib/fleet/queries";
import { DataTable } from "@/components/ui/DataTable";
import { Badge } from "@/components/ui/Badge";
import { EmptyState, PageHeader } from "@/components/ui/Card";
import { fmtDay } from "@/components/ui/format";

export const metadata: Metadata = { title: "Playbooks & incidents" };

export default async function PlaybooksPage() {
  await requireScope("registry:read");
  const playbooks = await listPlaybooks();
  return (
    <>
      <PageHeader title="Playbooks & incidents" description="The plan before the incident: triggers, steps by phase, contacts and break-glass access. Drills and incidents arrive with the containment capability." />
      <DataTable
        caption="Playbooks"
        columns={[{ id: "name", header: "Playbook" }, { id: "trigger", header: "Trigger" }, { id: "steps", header: "Steps" }, { id: "drill", header: "Last drill" }]}
        rows={playbooks.map((p) => {
          const last = p.lastDrill;
          return {
            key: p.id,
            cells: {
              name: <span className="font-medium">{p.name}</span>,
              trigger: p.trigger.replace("_", " "),
              steps: p._count.steps,
              drill: !last ? <Badge tone="red">never drilled</Badge> : p.drillDue ? <Badge tone="amber">{fmtDay(last.startedAt)} (over 90 days)</Badge> : fmtDay(last.startedAt),
            },
            sort: { name: p.name, trigger: p.trigger, steps: p._count.steps, drill: last?.startedAt.getTime() ?? 0 },
          };
        })}
        empty={<EmptyState title="No playbooks yet">Write down what happens when a vendor is breached before it happens.</EmptyState>}
      />
    </>
  );
}
