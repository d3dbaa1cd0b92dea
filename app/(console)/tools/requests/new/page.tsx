import type { Metadata } from "next";
import { z } from "zod";
import { TOOL_KINDS } from "@/lib/tools/schema";
import { requireScope } from "@/lib/auth/session";
import { agentOptions, listBundles } from "@/lib/agents/queries";
import { PageHeader } from "@/components/ui/Card";
import { RequestForm } from "@/components/tools/RequestForm";
import { createToolRequest } from "../../actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const metadata: Metadata = { title: "Request a tool" };

// Pre-filled from a reconciliation finding (an item a gateway runs without approval); each value is optional and dropped when malformed.
const ZPrefill = z.object({
  name: z.string().max(200).optional().catch(undefined),
  kind: z.enum(TOOL_KINDS).optional().catch(undefined),
  version: z.string().max(100).optional().catch(undefined),
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .catch(undefined),
});

export default async function NewRequestPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("tools:request");
  const sp = ZPrefill.safeParse(await searchParams);
  const initial = sp.success ? { name: sp.data.name, kind: sp.data.kind, version: sp.data.version, contentHash: sp.data.hash } : {};
  // A team-scoped requester picks among their team's agents.
  const [agents, bundles] = await Promise.all([agentOptions(teamScopeOf(actor)), listBundles()]);
  return (
    <>
      <PageHeader title="Request a tool" description="Name the exact version and its SHA-256, what it needs to touch, and why. A security lead reviews it; you cannot approve your own request." />
      <RequestForm agents={agents} bundles={bundles.map((b) => ({ id: b.id, name: b.name }))} action={createToolRequest} initial={initial} />
    </>
  );
}
