import { runApiRead } from "@/lib/api";
import { scoreFleetPosture } from "@/lib/posture-domains/score";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/posture → {data: {generatedAt, score, status, counts, domains: [{id, title, practice,
 * score, status, items: [{id, check, status, detail, evidenceHref, nextStep}]}]}}: the fleet scored
 * against the twelve practice domains. Scope dashboard:read (every role, managers included).
 */
export function GET() {
  return runApiRead("dashboard:read", "posture", async () => ({ data: await scoreFleetPosture() }), { fleetWide: true });
}
