import type { Tone } from "@/components/ui/Badge";
import type { PostureStatus } from "@/lib/posture-domains/types";

export const STATUS_TONE: Record<PostureStatus, Tone> = { good: "green", warn: "amber", bad: "red", unknown: "gray" };
export const STATUS_LABEL: Record<PostureStatus, string> = { good: "Good", warn: "Needs work", bad: "At risk", unknown: "Unknown" };
/** Stroke colours of the score ring (Tailwind 500s, readable on white and slate-900). */
export const STATUS_COLOR: Record<PostureStatus, string> = { good: "#10b981", warn: "#f59e0b", bad: "#ef4444", unknown: "#94a3b8" };
