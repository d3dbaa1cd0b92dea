import "server-only";
import { action } from "@/lib/action";
import { ZIntegrationAdvisoryClear, ZIntegrationAdvisorySet, ZIntegrationCreate, ZIntegrationReview, ZIntegrationSetAgents, ZIntegrationUpdate } from "./schema";
import { clearIntegrationAdvisory, createIntegration, reviewIntegration, setIntegrationAdvisory, setIntegrationAgents, updateIntegration } from "./service";

// Each mutation defined once; used by app/(console)/integrations/actions.ts and by /api/v1/integrations.
export const createIntegrationAction = action({ name: "integration.create", scope: "registry:write", schema: ZIntegrationCreate, run: (actor, input) => createIntegration(actor, input) });
export const updateIntegrationAction = action({ name: "integration.update", scope: "registry:write", schema: ZIntegrationUpdate, run: updateIntegration });
export const reviewIntegrationAction = action({ name: "integration.review", scope: "registry:write", schema: ZIntegrationReview, run: (actor, input) => reviewIntegration(actor, input) });
export const setIntegrationAdvisoryAction = action({
  name: "integration.advisory_set",
  scope: "registry:write",
  schema: ZIntegrationAdvisorySet,
  run: (actor, input) => setIntegrationAdvisory(actor, input),
});
export const clearIntegrationAdvisoryAction = action({ name: "integration.advisory_clear", scope: "registry:write", schema: ZIntegrationAdvisoryClear, run: clearIntegrationAdvisory });
export const setIntegrationAgentsAction = action({ name: "integration.set_agents", scope: "registry:write", schema: ZIntegrationSetAgents, run: setIntegrationAgents });
