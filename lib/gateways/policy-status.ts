/**
 * Which policy a gateway runs on, from what it reports (x-warden-policy-version / -expires on every
 * connector request) against the current signed version. "expired": the policy it holds is past
 * its expiry (its plugin blocks every call, or keeps the last policy in the keep_last mode);
 * "behind": it holds an older version than Warden's current one.
 */
export type PolicyStatus = "current" | "behind" | "expired" | "unknown";

export function policyStatusOf(g: { policyVersionApplied: string | null; policyExpiresReported: Date | null }, currentVersion: string | null, now = new Date()): PolicyStatus {
  if (!g.policyVersionApplied) return "unknown";
  if (g.policyExpiresReported && g.policyExpiresReported <= now) return "expired";
  if (currentVersion && g.policyVersionApplied !== currentVersion) return "behind";
  return currentVersion ? "current" : "unknown";
}

export const POLICY_STATUS_TONE: Record<PolicyStatus, "green" | "amber" | "red" | "gray"> = { current: "green", behind: "amber", expired: "red", unknown: "gray" };
