import { runApiAction } from "@/lib/api";
import { rotateGatewaySecretAction } from "@/lib/gateways/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/gateways/{id}/rotate-secret {graceHours?} → {data: {gateway, signingSecret}} */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, rotateGatewaySecretAction, { id: (await params).id });
}
