import "server-only";
import { action } from "@/lib/action";
import { ZDataFlowCreate, ZDataFlowDecision, ZDataFlowUpdate } from "./schema";
import { createDataFlow, decideDataFlow, updateDataFlow } from "./service";

// Each mutation defined once; used by app/(console)/data-flows/actions.ts and by /api/v1/data-flows.
export const createDataFlowAction = action({ name: "data_flow.create", scope: "registry:write", schema: ZDataFlowCreate, run: createDataFlow });
export const updateDataFlowAction = action({ name: "data_flow.update", scope: "registry:write", schema: ZDataFlowUpdate, run: updateDataFlow });
export const decideDataFlowAction = action({ name: "data_flow.decide", scope: "data_flows:decide", schema: ZDataFlowDecision, run: (actor, input) => decideDataFlow(actor, input) });
