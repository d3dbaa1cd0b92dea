"use server";
import { serverAction } from "@/lib/action";
import { dismissFindingAction, openIncidentAction } from "@/lib/findings/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/findings routes.
const revalidate = "/findings";
export const dismissFinding = serverAction(dismissFindingAction, { revalidate });
export const openIncident = serverAction(openIncidentAction, { revalidate });
