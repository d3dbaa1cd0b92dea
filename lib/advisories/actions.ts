import "server-only";
import { action } from "@/lib/action";
import { ZAdvisoryCreate, ZAdvisoryDelete } from "./schema";
import { createAdvisory, deleteAdvisory } from "./service";

// Each mutation defined once; used by app/(console)/gateways/advisories/actions.ts.
export const createAdvisoryAction = action({ name: "advisory.create", scope: "advisories:manage", schema: ZAdvisoryCreate, run: createAdvisory });
export const deleteAdvisoryAction = action({ name: "advisory.delete", scope: "advisories:manage", schema: ZAdvisoryDelete, run: deleteAdvisory });
