import { runApiAction, runApiRead } from "@/lib/api";
import { listGateways } from "@/lib/fleet/queries";
import { registerGatewayAction } from "@/lib/gateways/actions";

export const dynamic = "force-dynamic";

export function GET() {
  return runApiRead("registry:read", "gateways", async () => ({ data: await listGateways() }));
}

/** POST /api/v1/gateways {name, kind, environment, adminWsUrl?, adminToken?} → 201 {data: {gateway, signingSecret}} (the secret is shown once). */
export function POST(req: Request) {
  return runApiAction(req, registerGatewayAction, {}, 201);
}
