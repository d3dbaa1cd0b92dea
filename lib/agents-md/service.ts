import "server-only";
import { db, isUniqueViolation, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import type { Prisma } from "@/lib/generated/prisma/client";
import { INTEGRATION_SELECT, columnsOfDiffs, degradationOf, degradationOfTool, diffIntegration, sameDegradation, type IntegrationRow } from "./mapping";
import { parseAgentsMd, type ParsedAgentsMd } from "./parse";
import type { AgentsMdError, FieldDiff, ImportPreview, ImportResult, TAgentsMdImport } from "./schema";

const AGENT_SELECT = { id: true, name: true, owner: true, purpose: true } as const;
type AgentRow = { id: string; name: string; owner: string; purpose: string };

/** What an import would do, with the rows it was computed from (so apply writes exactly the preview). */
type Plan = {
  preview: ImportPreview;
  agent: AgentRow | null;
  agentCreate: { name: string; owner: string; purpose: string } | null;
  agentChanges: FieldDiff[];
  rows: Map<string, IntegrationRow>;
  doc: ParsedAgentsMd;
};

type PlanResult = { ok: true; plan: Plan } | { ok: false; errors: AgentsMdError[] };

/** The target agent: the request's agentId, the file's `agent:` block, or both when they agree. */
async function resolveAgent(client: Tx, doc: ParsedAgentsMd, agentId: string | undefined) {
  const block = doc.agent;
  let agent: AgentRow | null = null;
  if (agentId) {
    agent = await client.agent.findUnique({ where: { id: agentId }, select: AGENT_SELECT });
    if (!agent) throw new AppError("not_found", "No such agent.", { agentId: ["No such agent."] });
    if (block && block.name !== agent.name) {
      const error = { ...block.nameLoc, path: "agent.name", message: `The file is for agent "${block.name}" but you chose "${agent.name}". Choose that agent, or remove the agent: block.` };
      return { ok: false as const, errors: [error] };
    }
  } else if (block) {
    agent = await client.agent.findUnique({ where: { name: block.name }, select: AGENT_SELECT });
    if (!agent && (!block.owner || !block.purpose)) {
      const error = {
        ...block.nameLoc,
        path: "agent.name",
        message: `Warden has no agent named "${block.name}". Add owner: and purpose: to the agent: block to create it, or choose an existing agent.`,
      };
      return { ok: false as const, errors: [error] };
    }
  } else {
    throw new AppError("invalid", "Choose the agent to import into, or add an agent: block (name, owner, purpose) to the file.", {
      agentId: ["Choose an agent, or add an agent: block to the file."],
    });
  }
  return { ok: true as const, agent };
}

/** Compare the parsed file with the database: the preview, and everything apply needs. */
async function planImport(client: Tx, doc: ParsedAgentsMd, agentId: string | undefined): Promise<PlanResult> {
  const resolved = await resolveAgent(client, doc, agentId);
  if (!resolved.ok) return resolved;
  const { agent } = resolved;
  const block = doc.agent;

  const agentCreate = agent ? null : { name: block!.name, owner: block!.owner!, purpose: block!.purpose! };
  const agentChanges: FieldDiff[] = [];
  if (agentCreate) {
    agentChanges.push({ field: "owner", before: null, after: agentCreate.owner }, { field: "purpose", before: null, after: agentCreate.purpose });
  } else if (block) {
    if (block.owner !== undefined && block.owner !== agent!.owner) agentChanges.push({ field: "owner", before: agent!.owner, after: block.owner });
    if (block.purpose !== undefined && block.purpose !== agent!.purpose) agentChanges.push({ field: "purpose", before: agent!.purpose, after: block.purpose });
  }

  const names = doc.integrations.map((i) => i.name);
  const existing = await client.integration.findMany({ where: { name: { in: names } }, select: INTEGRATION_SELECT });
  const rows = new Map(existing.map((r) => [r.name, r as IntegrationRow]));

  const integrations = doc.integrations.map((entry) => {
    const row = rows.get(entry.name) ?? null;
    const changes = diffIntegration(row, entry);
    const action = !row ? ("create" as const) : changes.length ? ("update" as const) : ("unchanged" as const);
    return { name: entry.name, line: entry.loc.line, action, changes };
  });

  const linked = agent ? (await client.agentIntegration.findMany({ where: { agentId: agent.id }, select: { integration: { select: { name: true } } } })).map((l) => l.integration.name) : [];
  const linkedSet = new Set(linked);
  const inFile = new Set(names);
  const links = {
    add: names.filter((n) => !linkedSet.has(n)),
    unchanged: names.filter((n) => linkedSet.has(n)),
    notInFile: linked.filter((n) => !inFile.has(n)).sort(),
  };

  const degradation = doc.tools.map((t) => {
    const before = degradationOf(rows.get(t.primary)?.degradation ?? null);
    const after = degradationOfTool(t);
    const action = before === null ? ("set" as const) : sameDegradation(before, after) ? ("unchanged" as const) : ("update" as const);
    return { integration: t.primary, toolId: t.id, line: t.loc.line, action, before, after };
  });

  const summary = {
    created: integrations.filter((i) => i.action === "create").length,
    updated: integrations.filter((i) => i.action === "update").length,
    unchanged: integrations.filter((i) => i.action === "unchanged").length,
    linksAdded: links.add.length,
    degradationChanged: degradation.filter((d) => d.action !== "unchanged").length,
    agentChanged: agentChanges.length > 0,
  };
  const preview: ImportPreview = {
    agent: { id: agent?.id ?? null, name: agent?.name ?? agentCreate!.name, action: agentCreate ? "create" : agentChanges.length ? "update" : "unchanged", changes: agentChanges },
    integrations,
    links,
    degradation,
    summary,
    changed: summary.created + summary.updated + summary.linksAdded + summary.degradationChanged > 0 || summary.agentChanged,
  };
  return { ok: true, plan: { preview, agent, agentCreate, agentChanges, rows, doc } };
}

/** Write a plan inside the caller's transaction, with its one audit event. */
async function applyPlan(tx: Tx, actor: Actor, plan: Plan): Promise<string> {
  const { preview } = plan;
  let agentId: string;
  if (plan.agentCreate) {
    agentId = (await tx.agent.create({ data: plan.agentCreate, select: { id: true } })).id;
  } else {
    agentId = plan.agent!.id;
    if (plan.agentChanges.length) {
      await tx.agent.update({ where: { id: agentId }, data: Object.fromEntries(plan.agentChanges.map((c) => [c.field, c.after])) });
    }
  }

  const degradationByName = new Map(preview.degradation.filter((d) => d.action !== "unchanged").map((d) => [d.integration, d.after]));
  const ids = new Map<string, string>();
  for (const item of preview.integrations) {
    const data = columnsOfDiffs(item.changes);
    const degradation = degradationByName.get(item.name);
    if (degradation) data.degradation = degradation as Prisma.InputJsonValue;
    const row = plan.rows.get(item.name);
    if (!row) {
      const created = await tx.integration.create({ data: { name: item.name, ...data } as Prisma.IntegrationCreateInput, select: { id: true } });
      ids.set(item.name, created.id);
    } else {
      if (Object.keys(data).length) await tx.integration.update({ where: { id: row.id }, data: data as Prisma.IntegrationUpdateInput });
      ids.set(item.name, row.id);
    }
  }
  if (preview.links.add.length) {
    await tx.agentIntegration.createMany({ data: preview.links.add.map((name) => ({ agentId, integrationId: ids.get(name)! })), skipDuplicates: true });
  }

  const changedIntegrations = preview.integrations.filter((i) => i.action !== "unchanged");
  const changedDegradation = preview.degradation.filter((d) => d.action !== "unchanged");
  await recordAudit(tx, actor, {
    action: "agents_md.import",
    targetType: "agent",
    targetId: agentId,
    before: {
      agent: plan.agentCreate ? null : { name: plan.agent!.name, ...Object.fromEntries(plan.agentChanges.map((c) => [c.field, c.before])) },
      integrations: Object.fromEntries(changedIntegrations.map((i) => [i.name, i.action === "create" ? null : Object.fromEntries(i.changes.map((c) => [c.field, c.before]))])),
      degradation: Object.fromEntries(changedDegradation.map((d) => [d.integration, d.before])),
      links: preview.links.unchanged.length + preview.links.notInFile.length,
    },
    after: {
      agent: { name: preview.agent.name, ...Object.fromEntries(plan.agentChanges.map((c) => [c.field, c.after])) },
      integrations: Object.fromEntries(changedIntegrations.map((i) => [i.name, Object.fromEntries(i.changes.map((c) => [c.field, c.after]))])),
      degradation: Object.fromEntries(changedDegradation.map((d) => [d.integration, d.after])),
      linksAdded: preview.links.add,
      summary: preview.summary,
    },
  });
  return agentId;
}

/**
 * Import AGENTS.md into the registry: integrations upserted by name and linked to the agent,
 * `tools:` entries stored as the degradation of their primary integration, the agent's owner and
 * purpose from an `agent:` block. A dry run only previews. Any error in the file (reported by
 * line) means nothing is written; an apply is one transaction with one audit event.
 */
export async function importAgentsMd(actor: Actor, input: TAgentsMdImport): Promise<ImportResult> {
  const parsed = parseAgentsMd(input.content);
  if (!parsed.ok) return parsed;
  if (input.dryRun) {
    const res = await planImport(db, parsed.doc, input.agentId);
    return res.ok ? { ok: true, dryRun: true, applied: false, preview: res.plan.preview } : res;
  }
  try {
    return await db.$transaction(
      async (tx): Promise<ImportResult> => {
        const res = await planImport(tx, parsed.doc, input.agentId);
        if (!res.ok) return res;
        const agentId = await applyPlan(tx, actor, res.plan);
        return { ok: true, dryRun: false, applied: true, preview: { ...res.plan.preview, agent: { ...res.plan.preview.agent, id: agentId } } };
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "Someone changed these integrations or this agent at the same time. Preview again, then apply.");
    throw err;
  }
}
