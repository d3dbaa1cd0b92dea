import type { Tone } from "@/components/ui/Badge";

/** Badge colours shared by the incident list and detail pages. */
export const SEVERITY_TONE: Record<string, Tone> = { low: "gray", medium: "amber", high: "red", critical: "red" };
export const STATUS_TONE: Record<string, Tone> = { open: "red", contained: "amber", resolved: "blue", closed: "green" };
export const DELIVERY_TONE: Record<string, Tone> = { pending: "gray", delivered: "blue", applied: "green", failed: "red", timed_out: "amber" };
