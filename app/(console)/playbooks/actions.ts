"use server";
import { serverAction } from "@/lib/action";
import { createPlaybookAction, deletePlaybookAction, runDrillAction, runPlaybookAction, updatePlaybookAction } from "@/lib/playbooks/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/playbooks routes.
const revalidate = "/playbooks";
export const createPlaybook = serverAction(createPlaybookAction, { revalidate });
export const updatePlaybook = serverAction(updatePlaybookAction, { revalidate });
export const deletePlaybook = serverAction(deletePlaybookAction, { revalidate });
export const runDrill = serverAction(runDrillAction, { revalidate });
export const runPlaybook = serverAction(runPlaybookAction, { revalidate });
