import "server-only";
import { action } from "@/lib/action";
import { ZBlastRadius, ZContainmentConfirm, ZContainmentCreate, ZContainmentRelease } from "./schema";
import { db } from "@/lib/db";
import { teamScopeOf } from "@/lib/teams/scope";
import { blastRadius, contain, containConfirmed, releaseContainment } from "./service";

// Each mutation defined once; used by app/(console)/containment/actions.ts and /api/v1/containment.
export const containConfirmedAction = action({ name: "containment.apply", scope: "containment:execute", schema: ZContainmentConfirm, run: containConfirmed });
export const containApiAction = action({ name: "containment.apply", scope: "containment:execute", schema: ZContainmentCreate, run: (actor, input) => contain(actor, input) });
export const releaseContainmentAction = action({ name: "containment.release", scope: "containment:execute", schema: ZContainmentRelease, run: releaseContainment });
/** Read-only preview, but behind the execute scope: only those who can contain need it. */
export const blastRadiusAction = action({
  name: "containment.preview",
  scope: "containment:execute",
  schema: ZBlastRadius,
  run: async (actor, input) => {
    const r = await blastRadius(input.scope, input.target, db, teamScopeOf(actor));
    return { label: r.label, target: r.target, gateways: r.gateways, agents: r.agents.map(({ id, name }) => ({ id, name })) };
  },
});
