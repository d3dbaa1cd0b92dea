import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { listApprovals, listApprovalsWithCalls } from "@/lib/approvals/queries";
import { PageHeader } from "@/components/ui/Card";
import { ApprovalQueue } from "@/components/approvals/ApprovalQueue";
import { ApprovalCard } from "@/components/approvals/ApprovalCard";
import type { ApprovalItem } from "@/components/approvals/types";
import { decideApproval } from "./actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Approvals" };

/** Dates become ISO strings, exactly as the API gives them to the live queue. */
const plain = <T,>(v: T): ApprovalItem[] => JSON.parse(JSON.stringify(v)) as ApprovalItem[];

export default async function ApprovalsPage() {
  // Items show call parameters: the same scope as reading them in the explorer.
  const actor = await requireScope("tool_calls:read_params");
  const now = new Date();
  const [pending, recent] = await Promise.all([
    listApprovalsWithCalls({ status: "pending", limit: 100, recentCalls: true }, now, teamScopeOf(actor)),
    listApprovals({ status: "all", limit: 30, recentCalls: false }, now, teamScopeOf(actor)),
  ]);
  const canDecide = can(actor.role, "approvals:decide");
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Tool calls held at a gateway until a person decides. Unanswered calls are denied when their time runs out. Each decision needs a reason and is recorded in the audit trail and on the call's record."
        actions={
          <Link href="/approvals/rules" className="text-sm text-brand-600 hover:underline">
            Approval rules
          </Link>
        }
      />
      {!canDecide && <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">You can see the queue; deciding needs a security lead, an operator or an admin.</p>}
      <ApprovalQueue initial={plain(pending)} serverNow={now.toISOString()} decide={canDecide ? decideApproval : null} />
      <h2 id="recently-decided" className="mb-3 mt-10 text-lg font-semibold">
        Recently decided
      </h2>
      <section className="space-y-3" aria-labelledby="recently-decided">
        {plain(recent.filter((r) => r.status !== "pending")).map((item) => (
          <ApprovalCard key={item.id} item={item} nowMs={now.getTime()} decide={null} />
        ))}
      </section>
    </>
  );
}
