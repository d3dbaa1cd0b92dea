import { Document, isMap, isSeq } from "yaml";
import { degradationOf, docFieldsOfRow, type IntegrationRow } from "./mapping";

export type ExportAgent = { name: string; owner: string; purpose: string };

const YAML_OPTIONS = { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", doubleQuotedAsJSON: true, lineWidth: 0, indentSeq: true } as const;

/** A fenced YAML block with one top-level key: quoted strings, `flowKey` lists of its entries in flow style. */
function yamlBlock(value: Record<string, unknown>, flowKey?: string): string {
  const doc = new Document(value);
  const list = doc.get(Object.keys(value)[0], true);
  if (flowKey && isSeq(list)) {
    for (const item of list.items) {
      const node = isMap(item) ? item.get(flowKey, true) : null;
      if (isSeq(node)) node.flow = true;
    }
  }
  return "```yaml\n" + doc.toString(YAML_OPTIONS) + "```\n";
}

/** An integration as an `integrations:` entry: required keys always, optional keys only when set. */
function integrationEntry(row: IntegrationRow): Record<string, unknown> {
  const f = docFieldsOfRow(row);
  const entry: Record<string, unknown> = {
    name: row.name,
    provider: f.provider,
    provider_verified: f.provider_verified,
    reason: f.reason,
    permissions: f.permissions,
  };
  // audit_date and audit_result are required on import; a row without them exports without them
  // and the import then points at exactly what is missing.
  if (f.audit_date !== null) entry.audit_date = f.audit_date;
  if (f.audit_result !== null) entry.audit_result = f.audit_result;
  if (f.dependency_status !== null) entry.dependency_status = f.dependency_status;
  const contact: Record<string, unknown> = {};
  if (f["security_contact.name"] !== null) contact.name = f["security_contact.name"];
  if (f["security_contact.email"] !== null) contact.email = f["security_contact.email"];
  if (f["security_contact.phone"] !== null) contact.phone = f["security_contact.phone"];
  if (Object.keys(contact).length) entry.security_contact = contact;
  if (f.disclosure_process !== null) entry.disclosure_process = f.disclosure_process;
  if (f.ir_partner !== null) entry.ir_partner = f.ir_partner;
  if (f.next_review !== null) entry.next_review = f.next_review;
  return entry;
}

/**
 * AGENTS.md for one agent: an `agent:` block, its integrations and its graceful-degradation
 * entries, each in a fenced ```yaml block, sorted by name/id so the output is stable and imports
 * back as "unchanged".
 */
export function renderAgentsMd(agent: ExportAgent, integrations: IntegrationRow[]): string {
  const sorted = [...integrations].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const agentBlock: Record<string, unknown> = { name: agent.name };
  if (agent.owner.trim()) agentBlock.owner = agent.owner;
  if (agent.purpose.trim()) agentBlock.purpose = agent.purpose;
  const tools = sorted
    .map((row) => ({ row, d: degradationOf(row.degradation) }))
    .filter((x) => x.d !== null)
    // primary is always the integration's name: that is what the import matches on.
    .map(({ row, d }) => ({ id: d!.toolId || row.name, primary: row.name, ...(d!.fallback ? { fallback: d!.fallback } : {}), on_failure: d!.onFailure, max_retries: d!.maxRetries }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.primary < b.primary ? -1 : 1));

  return [
    `# AGENTS.md — ${agent.name}`,
    "",
    "Trust decisions for this agent, exported from Warden: the integrations it may use (and why), and",
    "how it degrades when one of them fails. Edit the YAML blocks and import the file back into Warden",
    "(Agents → Import AGENTS.md); keys left out of an entry keep their current value.",
    "",
    "## Agent",
    "",
    yamlBlock({ agent: agentBlock }),
    "## Integrations",
    "",
    yamlBlock({ integrations: sorted.map(integrationEntry) }, "permissions"),
    "## Graceful degradation",
    "",
    yamlBlock({ tools }),
  ].join("\n");
}
