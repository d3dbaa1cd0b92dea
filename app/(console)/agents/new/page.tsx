import type { Metadata } from "next";
import { z } from "zod";
import { requireScope } from "@/lib/auth/session";
import { listGateways } from "@/lib/fleet/queries";
import { teamOptions } from "@/lib/teams/queries";
import { teamScopeOf } from "@/lib/teams/scope";
import { registrationPrefill } from "@/lib/gateways/inventory-view";
import { PageHeader } from "@/components/ui/Card";
import { AgentForm } from "@/components/agents/AgentForm";
import { createAgent } from "../../tools/actions";

export const metadata: Metadata = { title: "Register an agent" };

// "Register it" from a gateway's inventory: ?gateway=<gateway id>&agent=<the agent's id on it>.
const ZFrom = z.object({ gateway: z.uuid(), agent: z.string().min(1).max(200) });

export default async function NewAgentPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireScope("registry:write");
  const scope = teamScopeOf(actor);
  const from = ZFrom.safeParse(await searchParams);
  const [gateways, teams, prefill] = await Promise.all([
    listGateways(scope),
    teamOptions(scope),
    from.success ? registrationPrefill(from.data.gateway, from.data.agent, scope) : Promise.resolve(null),
  ]);
  return (
    <>
      <PageHeader
        title="Register an agent"
        description={
          prefill
            ? `Pre-filled from what gateway ${prefill.gatewayName} reports about agent "${prefill.values.externalId}": add the owner and purpose, check the rest, then register it.`
            : "A non-human identity: who owns it, what it is for, which model it runs, and its posture. Tools come from capability bundles and grants after."
        }
      />
      <AgentForm mode="create" gateways={gateways.map((g) => ({ id: g.id, name: g.name }))} teams={teams} action={createAgent} {...(prefill ? { initial: prefill.values } : {})} />
    </>
  );
}
