import type { TimelineKind } from "./timeline-schema";

// Plain types shared with client components (which may not import queries or services).

export type TimelineTone = "gray" | "green" | "amber" | "red" | "blue";

/** One line of the merged incident timeline. `source` says where it came from; ids are strings (JSON-safe). */
export type TimelineEntry = {
  key: string;
  at: Date;
  kind: TimelineKind | "related_finding" | "tool_call" | (string & {});
  source: "event" | "containment" | "delivery" | "finding" | "tool_call";
  title: string;
  /** Free text shown preformatted (notes, reasons). */
  text?: string | null;
  by?: string | null;
  tone?: TimelineTone;
  facts?: [string, string][];
  href?: string | null;
};
