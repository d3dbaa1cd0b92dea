import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireScope } from "@/lib/auth/session";
import { can } from "@/lib/auth/roles";
import { getApproval } from "@/lib/approvals/queries";
import { PageHeader } from "@/components/ui/Card";
import { ApprovalDetail } from "@/components/approvals/ApprovalDetail";
import type { ApprovalItem } from "@/components/approvals/types";
import { decideApproval } from "../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Approval" };

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireScope("tool_calls:read_params");
  const item = await getApproval((await params).id, new Date(), teamScopeOf(actor));
  if (!item) notFound();
  return (
    <>
      <PageHeader
        title={`Approval: ${item.toolName} by ${item.agentName}`}
        actions={
          <Link href="/approvals" className="text-sm text-brand-600 hover:underline">
            All approvals
          </Link>
        }
      />
      <ApprovalDetail item={JSON.parse(JSON.stringify(item)) as ApprovalItem} serverNow={new Date().toISOString()} decide={can(actor.role, "approvals:decide") ? decideApproval : null} />
    </>
  );
}
