import { runApiAction, runApiRead } from "@/lib/api";
import { listGateways } from "@/lib/fleet/queries";
import { registerGatewayAction } from "@/lib/gateways/actions";
import { teamScopeOf } from "@/lib/teams/scope";

export const dynamic = "force-dynamic";

export function GET() {
  return runApiRead("registry:read", "gateways", async (actor) => ({ data: await listGateways(teamScopeOf(actor)) }));
}

/** POST /api/v1/gateways {name, kind, environment, adminWsUrl?, adminToken?} → 201 {data: {gateway, signingSecret}} (the secret is shown once). */
export function POST(req: Request) {
  return runApiAction(req, registerGatewayAction, {}, 201);
}
