/** Kill-switch scopes and the actions each allows (the gateway plugin implements each action). */
export const CONTAINMENT_ACTIONS = {
  tool: ["deny_tool", "require_approval"],
  agent: ["suspend_agent"],
  gateway: ["block_all", "cron_off", "disable_extensions", "shutdown"],
  fleet: ["block_all", "cron_off"],
} as const;
export type ContainmentScopeName = keyof typeof CONTAINMENT_ACTIONS;
export type ContainmentActionName = (typeof CONTAINMENT_ACTIONS)[ContainmentScopeName][number];

export type ContainmentInput = {
  scope: ContainmentScopeName;
  /** tool name, agent id or name, gateway id or name, or "fleet" */
  target: string;
  action: ContainmentActionName;
  reason: string;
  /** agent suspension: also turn off that gateway's cron jobs for it */
  options?: { cronOff?: boolean };
  incidentId?: string | null;
  source?: "manual" | "api" | "playbook" | "breaker";
};
