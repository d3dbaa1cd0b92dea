"use server";
import { serverAction } from "@/lib/action";
import { importAgentsMdAction } from "@/lib/agents-md/actions";

// A public endpoint like every server action: it runs the same definition (session → registry:write
// → zod → service with its transaction and audit event) as POST /api/v1/agents-md/import.
export const importAgentsMd = serverAction(importAgentsMdAction, { revalidate: "/agents" });
