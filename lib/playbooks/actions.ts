import "server-only";
import { action } from "@/lib/action";
import { ZDrillRun, ZPlaybookCreate, ZPlaybookDelete, ZPlaybookUpdate } from "./schema";
import { createPlaybook, deletePlaybook, runDrill, updatePlaybook } from "./service";

// Each mutation defined once; used by app/(console)/playbooks/actions.ts and by /api/v1/playbooks.
export const createPlaybookAction = action({ name: "playbook.create", scope: "playbooks:manage", schema: ZPlaybookCreate, run: createPlaybook });
export const updatePlaybookAction = action({ name: "playbook.update", scope: "playbooks:manage", schema: ZPlaybookUpdate, run: updatePlaybook });
export const deletePlaybookAction = action({ name: "playbook.delete", scope: "playbooks:manage", schema: ZPlaybookDelete, run: deletePlaybook });
/** Drills exercise the response, so they belong to whoever responds (security leads, operators). */
export const runDrillAction = action({ name: "playbook.drill", scope: "incidents:manage", schema: ZDrillRun, run: runDrill });
