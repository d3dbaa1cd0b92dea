import "server-only";
import { action } from "@/lib/action";
import { ZIncidentNote, ZIncidentOpen, ZIncidentPostMortem, ZIncidentUpdate } from "./schema";
import { addIncidentNote, openIncident, setPostMortem, updateIncident } from "./service";

// Each mutation defined once; used by app/(console)/incidents/actions.ts and by /api/v1/incidents.
export const openIncidentAction = action({ name: "incident.open", scope: "incidents:manage", schema: ZIncidentOpen, run: openIncident });
export const updateIncidentAction = action({ name: "incident.update", scope: "incidents:manage", schema: ZIncidentUpdate, run: (actor, input) => updateIncident(actor, input) });
export const addIncidentNoteAction = action({ name: "incident.note", scope: "incidents:manage", schema: ZIncidentNote, run: addIncidentNote });
export const setPostMortemAction = action({ name: "incident.post_mortem", scope: "incidents:manage", schema: ZIncidentPostMortem, run: setPostMortem });
