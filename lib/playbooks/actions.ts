import "server-only";
import { action } from "@/lib/action";
import { ZDrillRun, ZPlaybookCreate, ZPlaybookDelete, ZPlaybookRun, ZPlaybookUpdate } from "./schema";
import { createPlaybook, deletePlaybook, runDrill, updatePlaybook } from "./service";
import { runPlaybookNow } from "./triggers";

// Each mutation defined once; used by app/(console)/playbooks/actions.ts and by /api/v1/playbooks.
export const createPlaybookAction = action({ name: "playbook.create", scope: "playbooks:manage", schema: ZPlaybookCreate, run: createPlaybook });
export const updatePlaybookAction = action({ name: "playbook.update", scope: "playbooks:manage", schema: ZPlaybookUpdate, run: updatePlaybook });
export const deletePlaybookAction = action({ name: "playbook.delete", scope: "playbooks:manage", schema: ZPlaybookDelete, run: deletePlaybook });
/** Drills exercise the response, so they belong to whoever responds (security leads, operators). */
export const runDrillAction = action({ name: "playbook.drill", scope: "incidents:manage", schema: ZDrillRun, run: runDrill });
/**
 * Running a playbook by hand may flip kill switches (deny a tool, suspend an agent), so it takes
 * the containment scope: operators and admins, who can flip those switches directly anyway. A run
 * is audited as playbook.fire, like a trigger's (and so is a denied attempt).
 */
export const runPlaybookAction = action({ name: "playbook.fire", scope: "containment:execute", schema: ZPlaybookRun, run: runPlaybookNow });
