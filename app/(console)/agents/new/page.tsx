import type { Metadata } from "next";
import { requireScope } from "@/lib/auth/session";
import { listGateways } from "@/lib/fleet/queries";
import { PageHeader } from "@/components/ui/Card";
import { AgentForm } from "@/components/agents/AgentForm";
import { createAgent } from "../../tools/actions";

export const metadata: Metadata = { title: "Register an agent" };

export default async function NewAgentPage() {
  await requireScope("registry:write");
  const gateways = await listGateways();
  return (
    <>
      <PageHeader title="Register an agent" description="A non-human identity: who owns it, what it is for, which model it runs, and its posture. Tools come from capability bundles and grants after." />
      <AgentForm mode="create" gateways={gateways.map((g) => ({ id: g.id, name: g.name }))} action={createAgent} />
    </>
  );
}
