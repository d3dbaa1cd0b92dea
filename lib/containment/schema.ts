import { z } from "zod";
import { CONTAINMENT_ACTIONS, type ContainmentActionName } from "./types";

const scopes = Object.keys(CONTAINMENT_ACTIONS) as [keyof typeof CONTAINMENT_ACTIONS, ...(keyof typeof CONTAINMENT_ACTIONS)[]];
const allActions = [...new Set(Object.values(CONTAINMENT_ACTIONS).flat())] as [ContainmentActionName, ...ContainmentActionName[]];

const base = z.object({
  scope: z.enum(scopes, { error: "Choose tool, agent, gateway or fleet." }),
  target: z.string().trim().min(1, "Choose what to contain.").max(200),
  action: z.enum(allActions, { error: "Unknown containment action." }),
  reason: z.string().trim().min(5, "Give a reason of at least 5 characters (it is recorded and sent to the gateways).").max(1000),
  options: z.object({ cronOff: z.boolean().optional() }).strict().optional(),
  incidentId: z.uuid("Not a valid incident id.").optional().nullable(),
});

function actionFitsScope(v: { scope: keyof typeof CONTAINMENT_ACTIONS; action: string }) {
  return (CONTAINMENT_ACTIONS[v.scope] as readonly string[]).includes(v.action);
}
const fitMessage = { message: "This action does not apply to that scope.", path: ["action"] };

/** API form: automation sends scope, target, action, reason (no typed confirmation). */
export const ZContainmentCreate = base.refine(actionFitsScope, fitMessage);

/** Console form: the operator must also type the target's name to confirm. */
export const ZContainmentConfirm = base.extend({ confirm: z.string().trim().min(1, "Type the target's name to confirm.") }).refine(actionFitsScope, fitMessage);

export const ZContainmentRelease = z.object({
  id: z.uuid("Not a valid containment id."),
  reason: z.string().trim().min(5, "Give a reason of at least 5 characters.").max(1000),
});

export const ZBlastRadius = z.object({
  scope: z.enum(scopes),
  target: z.string().trim().min(1).max(200),
});
