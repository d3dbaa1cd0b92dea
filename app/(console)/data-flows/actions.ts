"use server";
import { serverAction } from "@/lib/action";
import { createDataFlowAction, decideDataFlowAction, updateDataFlowAction } from "@/lib/data-flows/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/data-flows routes.
const revalidate = "/data-flows";
export const createDataFlow = serverAction(createDataFlowAction, { revalidate });
export const updateDataFlow = serverAction(updateDataFlowAction, { revalidate });
export const decideDataFlow = serverAction(decideDataFlowAction, { revalidate });
