"use server";
import { serverAction } from "@/lib/action";
import { createAdvisoryAction, deleteAdvisoryAction } from "@/lib/advisories/actions";

// Public endpoints: session → scope (advisories:manage) → zod → service with its audit row.
export const createAdvisory = serverAction(createAdvisoryAction, { revalidate: "/gateways/advisories" });
export const deleteAdvisory = serverAction(deleteAdvisoryAction, { revalidate: "/gateways/advisories" });
