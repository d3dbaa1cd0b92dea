import { parseTriggerConfig, type PlaybookTriggerName } from "./schema";

// Plain-language summaries shared by pages and client components (no server imports).

/** Names for ids a trigger configuration refers to (integrationId, agentId), when known. */
export type RefNames = { integrations?: Record<string, string>; agents?: Record<string, string> };

/** One line saying when a playbook fires, e.g. "≥ 20 blocked calls within 10 min". */
export function describeTrigger(trigger: PlaybookTriggerName, rawConfig: unknown, names: RefNames = {}): { text: string; valid: boolean } {
  const parsed = parseTriggerConfig(trigger, rawConfig);
  if (!parsed.success) return { text: "Configuration not valid: edit the playbook to fix it (it does not fire until then).", valid: false };
  const c = parsed.data as Record<string, unknown>;
  const sev = c.severity ? ` · opens a ${String(c.severity)} incident` : "";
  switch (trigger) {
    case "manual":
      return { text: `Run by hand${sev}`, valid: true };
    case "vendor_advisory": {
      const id = c.integrationId as string | undefined;
      const what = id ? `integration ${names.integrations?.[id] ?? id}` : c.toolName ? `tool ${String(c.toolName)}` : "any integration or tool";
      return { text: `Advisory flagged on ${what}${sev}`, valid: true };
    }
    case "spend_threshold": {
      const id = c.agentId as string | undefined;
      return { text: `${String(c.percent)} % of ${id ? `agent ${names.agents?.[id] ?? id}'s` : "the fleet's"} daily budget${sev}`, valid: true };
    }
    case "unapproved_burst":
      return { text: `≥ ${String(c.count)} blocked calls within ${String(c.minutes)} min${sev}`, valid: true };
    case "hash_drift":
      return { text: `Open hash-drift finding${c.toolName ? ` for ${String(c.toolName)}` : " for any tool"}${sev}`, valid: true };
  }
}
