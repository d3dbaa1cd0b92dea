import "server-only";
import { action } from "@/lib/action";
import { ZAgentCreate, ZAgentUpdate } from "./schema";
import { createAgent, updateAgent } from "./service";

export const createAgentAction = action({ name: "agent.create", scope: "registry:write", schema: ZAgentCreate, run: createAgent });
export const updateAgentAction = action({ name: "agent.update", scope: "registry:write", schema: ZAgentUpdate, run: updateAgent });
