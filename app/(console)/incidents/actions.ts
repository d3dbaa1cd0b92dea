"use server";
import { serverAction } from "@/lib/action";
import { addIncidentNoteAction, openIncidentAction, setPostMortemAction, updateIncidentAction } from "@/lib/incidents/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/incidents routes.
const revalidate = "/incidents";
export const openIncident = serverAction(openIncidentAction, { revalidate });
export const updateIncident = serverAction(updateIncidentAction, { revalidate });
export const addIncidentNote = serverAction(addIncidentNoteAction, { revalidate });
export const setPostMortem = serverAction(setPostMortemAction, { revalidate });
