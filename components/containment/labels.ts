/** Human labels for containment scopes and actions (shared by the form, lists and detail page). */
export const ACTION_LABELS: Record<string, string> = {
  deny_tool: "Deny the tool on every gateway",
  require_approval: "Require a person's approval for each call (until released)",
  suspend_agent: "Suspend the agent (every tool denied)",
  block_all: "Block every tool call",
  cron_off: "Turn cron jobs off",
  disable_extensions: "Disable skills and plugins",
  shutdown: "Shut the gateway down",
};

export const ACTIONS_BY_SCOPE: Record<string, string[]> = {
  tool: ["deny_tool", "require_approval"],
  agent: ["suspend_agent"],
  gateway: ["block_all", "cron_off", "disable_extensions", "shutdown"],
  fleet: ["block_all", "cron_off"],
};

export const SCOPE_LABELS: Record<string, string> = { tool: "Tool", agent: "Agent", gateway: "Gateway", fleet: "Whole fleet" };

export const STATE_TONES: Record<string, "gray" | "green" | "amber" | "red" | "blue"> = {
  pending: "gray",
  delivered: "blue",
  applied: "green",
  failed: "red",
  timed_out: "red",
  sending: "blue",
};
