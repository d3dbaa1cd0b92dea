import { Badge } from "@/components/ui/Badge";
import { STATE_TONES } from "./labels";

/** A delivery state (pending, delivered, applied, failed, timed out) as a coloured badge. */
export function StateBadge({ state }: { state: string | null }) {
  if (!state) return <span className="text-xs text-slate-400">—</span>;
  return <Badge tone={STATE_TONES[state] ?? "gray"}>{state.replace("_", " ")}</Badge>;
}
