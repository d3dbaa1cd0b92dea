"use server";
import { serverAction } from "@/lib/action";
import { createIdentityRuleAction, createRateLimitAction, deleteIdentityRuleAction, deleteRateLimitAction } from "@/lib/identity-policy/actions";

// Server actions are public endpoints: each runs the shared definition (session → scope → zod →
// service with its audit row) on the server, exactly like /api/v1/identity-rules and /api/v1/rate-limits.
export const createIdentityRule = serverAction(createIdentityRuleAction, { revalidate: "/people/rules" });
export const deleteIdentityRule = serverAction(deleteIdentityRuleAction, { revalidate: "/people/rules" });
export const createRateLimit = serverAction(createRateLimitAction, { revalidate: "/people/rules" });
export const deleteRateLimit = serverAction(deleteRateLimitAction, { revalidate: "/people/rules" });
