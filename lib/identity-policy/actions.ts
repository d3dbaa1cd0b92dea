import "server-only";
import { action } from "@/lib/action";
import { ZDeleteById, ZIdentityRuleCreate, ZIdentityRuleUpdate, ZRateLimitCreate, ZRateLimitUpdate } from "./schema";
import { createIdentityRule, createRateLimit, deleteIdentityRule, deleteRateLimit, updateIdentityRule, updateRateLimit } from "./service";

// Each mutation defined once; used by app/(console)/people/rules/actions.ts and by /api/v1/identity-rules, /api/v1/rate-limits.
export const createIdentityRuleAction = action({ name: "identity_rule.create", scope: "identity_policy:manage", schema: ZIdentityRuleCreate, run: createIdentityRule });
export const updateIdentityRuleAction = action({ name: "identity_rule.update", scope: "identity_policy:manage", schema: ZIdentityRuleUpdate, run: updateIdentityRule });
export const deleteIdentityRuleAction = action({ name: "identity_rule.delete", scope: "identity_policy:manage", schema: ZDeleteById, run: deleteIdentityRule });
export const createRateLimitAction = action({ name: "rate_limit.create", scope: "identity_policy:manage", schema: ZRateLimitCreate, run: createRateLimit });
export const updateRateLimitAction = action({ name: "rate_limit.update", scope: "identity_policy:manage", schema: ZRateLimitUpdate, run: updateRateLimit });
export const deleteRateLimitAction = action({ name: "rate_limit.delete", scope: "identity_policy:manage", schema: ZDeleteById, run: deleteRateLimit });
