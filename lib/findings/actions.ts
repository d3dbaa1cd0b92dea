import "server-only";
import { action } from "@/lib/action";
import { ZFindingDismiss, ZFindingIncident, ZFindingsCompute } from "./schema";
import { openIncident } from "@/lib/incidents/service";
import { computeFindings, dismissFinding } from "./compute";

const HOUR = 3_600_000;

// Each mutation defined once; used by app/(console)/findings/actions.ts and by /api/v1/findings.
export const dismissFindingAction = action({ name: "finding.dismiss", scope: "tools:decide", schema: ZFindingDismiss, run: dismissFinding });
export const openIncidentAction = action({
  name: "incident.open",
  scope: "incidents:manage",
  schema: ZFindingIncident,
  run: (actor, input) => openIncident(actor, { findingId: input.id, severity: input.severity }),
});
export const computeFindingsAction = action({
  name: "findings.compute",
  scope: "gateways:manage",
  schema: ZFindingsCompute,
  run: (actor, input) => {
    const now = new Date();
    return computeFindings({ since: new Date(now.getTime() - input.sinceHours * HOUR), now, actor });
  },
});
