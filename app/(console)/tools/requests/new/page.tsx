import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { agentOptions, listBundles } from "@/lib/agents/queries";
import { PageHeader } from "@/components/ui/Card";
import { RequestForm } from "@/components/tools/RequestForm";
import { createToolRequest } from "../../actions";

export const metadata: Metadata = { title: "Request a tool" };

export default async function NewRequestPage() {
  await requireScope("tools:request");
  const [agents, bundles] = await Promise.all([agentOptions(), listBundles()]);
  return (
    <>
      <PageHeader title="Request a tool" description="Name the exact version and its SHA-256, what it needs to touch, and why. A security lead reviews it; you cannot approve your own request." />
      <RequestForm agents={agents} bundles={bundles.map((b) => ({ id: b.id, name: b.name }))} action={createToolRequest} />
    </>
  );
}
