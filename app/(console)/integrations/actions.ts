"use server";
import { serverAction } from "@/lib/action";
import {
  clearIntegrationAdvisoryAction,
  createIntegrationAction,
  reviewIntegrationAction,
  setIntegrationAdvisoryAction,
  setIntegrationAgentsAction,
  updateIntegrationAction,
} from "@/lib/integrations/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like the /api/v1/integrations routes.
const revalidate = "/integrations";
export const createIntegration = serverAction(createIntegrationAction, { revalidate });
export const updateIntegration = serverAction(updateIntegrationAction, { revalidate });
export const reviewIntegration = serverAction(reviewIntegrationAction, { revalidate });
export const setIntegrationAdvisory = serverAction(setIntegrationAdvisoryAction, { revalidate });
export const clearIntegrationAdvisory = serverAction(clearIntegrationAdvisoryAction, { revalidate });
export const setIntegrationAgents = serverAction(setIntegrationAgentsAction, { revalidate });
