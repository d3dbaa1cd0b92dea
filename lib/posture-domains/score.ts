import "server-only";
import { loadPostureFacts } from "./facts";
import { scoreDomains } from "./rules";
import type { FleetPosture } from "./types";

/**
 * The fleet scored against the twelve practice domains at `now`: each domain with a 0–100 score,
 * a status and its checks (evidence link and next step), and the overall average.
 */
export async function scoreFleetPosture(now: Date = new Date()): Promise<FleetPosture> {
  return scoreDomains(await loadPostureFacts(now));
}
