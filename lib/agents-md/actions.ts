import "server-only";
import { action } from "@/lib/action";
import { ZAgentsMdImport } from "./schema";
import { importAgentsMd } from "./service";

// Defined once; used by app/(console)/agents/import/actions.ts and POST /api/v1/agents-md/import.
export const importAgentsMdAction = action({ name: "agents_md.import", scope: "registry:write", schema: ZAgentsMdImport, run: importAgentsMd });
