"use server";
import { serverAction } from "@/lib/action";
import { createBundleAction, setBundleToolsAction } from "@/lib/tools/actions";

// Capability bundles: the same definitions as everywhere else (scope registry:write → zod → service).
export const createBundle = serverAction(createBundleAction, { revalidate: "/tools/bundles" });
export const setBundleTools = serverAction(setBundleToolsAction, { revalidate: "/tools/bundles" });
