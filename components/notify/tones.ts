import type { Tone } from "@/components/ui/Badge";

/** Badge colour of a delivery state. */
export const DELIVERY_TONE: Record<string, Tone> = { pending: "blue", delivered: "green", failed: "amber", dead: "red" };
