import { runApiAction } from "@/lib/api";
import { setGatewayPolicyExpiryAction } from "@/lib/gateways/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/gateways/{id}/policy-expiry {ttlHours: number | null, onExpiry: "deny" | "keep_last"} → {data: {id, ttlSeconds, onExpiry, changed}}. Scope tools:decide. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runApiAction(req, setGatewayPolicyExpiryAction, { id: (await params).id });
}
