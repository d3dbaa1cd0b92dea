import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { agentWhereOf, requireFleetWide, teamScopeOf, viaAgentWhereOf } from "@/lib/teams/scope";
import { recordAudit } from "@/lib/audit/record";
import {
  isCredEgress,
  toPermissions,
  type ZBundleCreate,
  type ZBundleSetTools,
  type ZAgentSetBundles,
  type ZDecision,
  type ZGrantCreate,
  type ZGrantRevoke,
  type ZRevokeDecision,
  type ZToolRequestCreate,
} from "./schema";

const DAY = 86_400_000;

/** File a request for a tool version (creating the tool and the pinned version record if new). */
export async function createToolRequest(actor: Actor, input: z.infer<typeof ZToolRequestCreate>) {
  if (!actor.userId) throw new AppError("forbidden", "Only users file tool requests.");
  return db.$transaction(async (tx) => {
    // A team-scoped requester names only their team's agents (another team's is "unknown").
    const [agents, bundles] = await Promise.all([
      tx.agent.count({ where: { id: { in: input.agentIds }, ...agentWhereOf(teamScopeOf(actor)) } }),
      tx.capabilityBundle.count({ where: { id: { in: input.bundleIds } } }),
    ]);
    if (agents !== new Set(input.agentIds).size) throw new AppError("invalid", "Unknown agent.", { agentIds: ["One or more agents do not exist."] });
    if (bundles !== new Set(input.bundleIds).size) throw new AppError("invalid", "Unknown bundle.", { bundleIds: ["One or more bundles do not exist."] });
    const existing = await tx.tool.findUnique({ where: { name: input.tool.name } });
    if (existing && (existing.kind !== input.tool.kind || existing.source !== input.tool.source)) {
      throw new AppError("conflict", `A ${existing.kind} named ${existing.name} from ${existing.source} already exists.`, { "tool.name": ["Name already used by a different kind or source."] });
    }
    const tool =
      existing ??
      (await tx.tool.create({ data: { name: input.tool.name, kind: input.tool.kind, source: input.tool.source, publisher: input.tool.publisher, description: input.tool.description ?? "" } }));
    const version = await tx.toolVersion.upsert({
      where: { toolId_version_contentHash: { toolId: tool.id, version: input.version, contentHash: input.contentHash } },
      create: { toolId: tool.id, version: input.version, contentHash: input.contentHash, publisher: input.tool.publisher, permissions: input.permissions },
      update: {},
    });
    const pending = await tx.toolRequest.findFirst({ where: { toolVersionId: version.id, status: "pending" }, select: { id: true } });
    if (pending) throw new AppError("conflict", "This exact version already has a pending request.", { version: ["Already pending review."] });
    const req = await tx.toolRequest.create({
      data: {
        toolVersionId: version.id,
        requesterId: actor.userId!,
        justification: input.justification,
        requestedPermissions: input.permissions,
        agentIds: [...new Set(input.agentIds)],
        bundleIds: [...new Set(input.bundleIds)],
      },
      select: { id: true, status: true, createdAt: true },
    });
    await recordAudit(tx, actor, {
      action: "tool_request.create",
      targetType: "tool_request",
      targetId: req.id,
      after: {
        tool: tool.name,
        version: input.version,
        contentHash: input.contentHash,
        permissions: input.permissions,
        agentIds: input.agentIds,
        bundleIds: input.bundleIds,
        highRisk: isCredEgress(input.permissions),
      },
    });
    return { ...req, toolId: tool.id, toolVersionId: version.id };
  });
}

/**
 * Decide a pending request. The requester can never decide their own request. Approvals are
 * pinned to the requested version + content hash and get a re-review date; the tool is added to
 * the requested bundles and granted to requested agents not already covered by a bundle.
 */
export async function decideToolRequest(actor: Actor, input: z.infer<typeof ZDecision>) {
  const req = await db.toolRequest.findUnique({
    where: { id: input.requestId },
    select: {
      id: true,
      status: true,
      requesterId: true,
      agentIds: true,
      bundleIds: true,
      requestedPermissions: true,
      toolVersion: { select: { id: true, version: true, contentHash: true, publisher: true, toolId: true, tool: { select: { name: true, publisher: true } } } },
    },
  });
  if (!req) throw new AppError("not_found", "No such request.");
  const team = teamScopeOf(actor);
  if (team) {
    // A request for another team's agents is "no such request"; one that adds the tool to shared bundles reaches other teams.
    const mine = await db.agent.count({ where: { id: { in: req.agentIds }, ...agentWhereOf(team) } });
    if (mine !== new Set(req.agentIds).size || !req.agentIds.length) throw new AppError("not_found", "No such request.");
    if (req.bundleIds.length) throw new AppError("forbidden", "This request adds the tool to capability bundles other teams use: an admin or a reviewer without a team decides it.");
  }
  // Audited as a denial by execute() (lib/action.ts), like every forbidden outcome.
  if (req.requesterId === actor.userId) throw new AppError("forbidden", "You filed this request, so someone else must decide it.", undefined, { type: "tool_request", id: req.id });
  if (req.status !== "pending") throw new AppError("conflict", `This request was already ${req.status.replace(/_/g, " ")}.`);
  const requested = toPermissions(req.requestedPermissions);
  const effective = input.outcome === "approve_with_conditions" ? input.conditions! : requested;
  if (input.outcome !== "reject" && isCredEgress(effective) && !input.checklist.credEgressFlagged) {
    throw new AppError("invalid", "Credential access together with network egress is high risk: acknowledge it in the checklist.", {
      "checklist.credEgressFlagged": ["Acknowledge the credential-access + network-egress risk."],
    });
  }
  const now = new Date();
  return db.$transaction(async (tx) => {
    // Re-check inside the transaction: two reviewers cannot both decide.
    const claimed = await tx.toolRequest.updateMany({
      where: { id: req.id, status: "pending" },
      data: { status: input.outcome === "approve" ? "approved" : input.outcome === "approve_with_conditions" ? "approved_with_conditions" : "rejected" },
    });
    if (claimed.count !== 1) throw new AppError("conflict", "This request was decided by someone else a moment ago.");
    const decision = await tx.trustDecision.create({
      data: {
        requestId: req.id,
        toolVersionId: req.toolVersion.id,
        deciderId: actor.userId!,
        outcome: input.outcome,
        checklist: input.checklist,
        reason: input.reason,
        conditions: input.outcome === "approve_with_conditions" ? input.conditions : undefined,
        decidedAt: now,
        reReviewAt: input.outcome === "reject" ? null : new Date(now.getTime() + input.reReviewDays * DAY),
      },
      select: { id: true, outcome: true, decidedAt: true, reReviewAt: true },
    });
    let granted: string[] = [];
    // Approving a version filed under another publisher makes that the tool's publisher, unverified
    // until someone verifies it again (the old verification was of someone else).
    const pub = req.toolVersion.publisher;
    const publisherChanged = input.outcome !== "reject" && pub != null && pub !== req.toolVersion.tool.publisher ? { from: req.toolVersion.tool.publisher, to: pub } : null;
    if (publisherChanged) await tx.tool.update({ where: { id: req.toolVersion.toolId }, data: { publisher: publisherChanged.to, publisherVerified: false } });
    if (input.outcome !== "reject") {
      for (const bundleId of req.bundleIds) {
        await tx.bundleTool.upsert({ where: { bundleId_toolId: { bundleId, toolId: req.toolVersion.toolId } }, create: { bundleId, toolId: req.toolVersion.toolId }, update: {} });
      }
      const covered = await tx.agentBundle.findMany({ where: { agentId: { in: req.agentIds }, bundle: { tools: { some: { toolId: req.toolVersion.toolId } } } }, select: { agentId: true } });
      const already = await tx.grant.findMany({ where: { agentId: { in: req.agentIds }, toolId: req.toolVersion.toolId, kind: "grant", revokedAt: null }, select: { agentId: true } });
      const skip = new Set([...covered, ...already].map((x) => x.agentId));
      granted = req.agentIds.filter((id) => !skip.has(id));
      if (granted.length) {
        await tx.grant.createMany({
          data: granted.map((agentId) => ({ agentId, toolId: req.toolVersion.toolId, kind: "grant" as const, reason: `Approved with request ${req.id}`, grantedById: actor.userId! })),
        });
      }
    }
    await recordAudit(tx, actor, {
      action: "tool_request.decide",
      targetType: "tool_request",
      targetId: req.id,
      before: { status: "pending" },
      after: {
        decisionId: decision.id,
        outcome: input.outcome,
        tool: req.toolVersion.tool.name,
        version: req.toolVersion.version,
        contentHash: req.toolVersion.contentHash,
        checklist: input.checklist,
        reason: input.reason,
        conditions: input.conditions ?? null,
        reReviewAt: decision.reReviewAt,
        bundles: input.outcome === "reject" ? [] : req.bundleIds,
        grantedAgents: granted,
        ...(publisherChanged ? { publisherChanged } : {}),
      },
    });
    return { ...decision, grantedAgentIds: granted };
  });
}

/** Revoke an approval at any time, with a reason. The version drops out of every allowlist. */
export async function revokeTrustDecision(actor: Actor, input: z.infer<typeof ZRevokeDecision>) {
  // A trust decision is about a tool version for the whole fleet.
  requireFleetWide(actor, "Revoking a tool's trust decision");
  return db.$transaction(async (tx) => {
    const d = await tx.trustDecision.findUnique({
      where: { id: input.id },
      select: { id: true, outcome: true, revokedAt: true, toolVersion: { select: { version: true, contentHash: true, tool: { select: { name: true } } } } },
    });
    if (!d) throw new AppError("not_found", "No such decision.");
    if (d.outcome === "reject") throw new AppError("conflict", "A rejection cannot be revoked; file a new request instead.");
    if (d.revokedAt) throw new AppError("conflict", "Already revoked.");
    // Conditional in the database: of concurrent revocations exactly one changes the row (and audits).
    const revokedAt = new Date();
    const claimed = await tx.trustDecision.updateMany({ where: { id: d.id, revokedAt: null }, data: { revokedAt, revokedById: actor.userId ?? null, revokeReason: input.reason } });
    if (claimed.count !== 1) throw new AppError("conflict", "Already revoked (by someone else a moment ago).");
    const r = { id: d.id, revokedAt };
    await recordAudit(tx, actor, {
      action: "trust_decision.revoke",
      targetType: "trust_decision",
      targetId: d.id,
      before: { revoked: false },
      after: { revoked: true, reason: input.reason, tool: d.toolVersion?.tool.name, version: d.toolVersion?.version, contentHash: d.toolVersion?.contentHash },
    });
    return r;
  });
}

/** A direct grant of a tool to an agent, or a time-boxed exception that ends by itself. */
export async function createGrant(actor: Actor, input: z.infer<typeof ZGrantCreate>) {
  if (!actor.userId) throw new AppError("forbidden", "Only users grant tools.");
  return db.$transaction(async (tx) => {
    const [agent, tool] = await Promise.all([
      tx.agent.findFirst({ where: { id: input.agentId, ...agentWhereOf(teamScopeOf(actor)) }, select: { id: true, name: true } }),
      tx.tool.findUnique({ where: { id: input.toolId }, select: { id: true, name: true } }),
    ]);
    if (!agent) throw new AppError("invalid", "Unknown agent.", { agentId: ["No such agent."] });
    if (!tool) throw new AppError("invalid", "Unknown tool.", { toolId: ["No such tool."] });
    const g = await tx.grant.create({
      data: { agentId: agent.id, toolId: tool.id, kind: input.kind, reason: input.reason, expiresAt: input.expiresAt ?? null, grantedById: actor.userId! },
      select: { id: true, kind: true, expiresAt: true },
    });
    await recordAudit(tx, actor, {
      action: input.kind === "exception" ? "exception.create" : "grant.create",
      targetType: "grant",
      targetId: g.id,
      after: { agent: agent.name, tool: tool.name, reason: input.reason, expiresAt: input.expiresAt ?? null },
    });
    return g;
  });
}

export async function revokeGrant(actor: Actor, input: z.infer<typeof ZGrantRevoke>) {
  return db.$transaction(async (tx) => {
    const g = await tx.grant.findFirst({
      where: { id: input.id, ...viaAgentWhereOf(teamScopeOf(actor)) },
      select: { id: true, kind: true, revokedAt: true, agent: { select: { name: true } }, tool: { select: { name: true } } },
    });
    if (!g) throw new AppError("not_found", "No such grant.");
    if (g.revokedAt) throw new AppError("conflict", "Already revoked.");
    // Conditional in the database: of concurrent revocations exactly one changes the row (and audits).
    const revokedAt = new Date();
    const claimed = await tx.grant.updateMany({ where: { id: g.id, revokedAt: null }, data: { revokedAt, revokeReason: input.reason } });
    if (claimed.count !== 1) throw new AppError("conflict", "Already revoked (by someone else a moment ago).");
    const r = { id: g.id, revokedAt };
    await recordAudit(tx, actor, { action: `${g.kind}.revoke`, targetType: "grant", targetId: g.id, after: { agent: g.agent.name, tool: g.tool.name, reason: input.reason } });
    return r;
  });
}

export async function createBundle(actor: Actor, input: z.infer<typeof ZBundleCreate>) {
  return db.$transaction(async (tx) => {
    if (await tx.capabilityBundle.findUnique({ where: { name: input.name } })) throw new AppError("conflict", "A bundle with this name exists.", { name: ["Already in use."] });
    const b = await tx.capabilityBundle.create({
      data: { name: input.name, description: input.description, tools: { create: [...new Set(input.toolIds)].map((toolId) => ({ toolId })) } },
      select: { id: true, name: true },
    });
    await recordAudit(tx, actor, { action: "bundle.create", targetType: "bundle", targetId: b.id, after: { name: b.name, toolIds: input.toolIds } });
    return b;
  });
}

export async function setBundleTools(actor: Actor, input: z.infer<typeof ZBundleSetTools>) {
  // A bundle is shared: changing its tools changes every team's agents that carry it.
  requireFleetWide(actor, "Changing a shared capability bundle");
  return db.$transaction(async (tx) => {
    const b = await tx.capabilityBundle.findUnique({ where: { id: input.id }, select: { id: true, tools: { select: { toolId: true } } } });
    if (!b) throw new AppError("not_found", "No such bundle.");
    await tx.bundleTool.deleteMany({ where: { bundleId: b.id } });
    await tx.bundleTool.createMany({ data: [...new Set(input.toolIds)].map((toolId) => ({ bundleId: b.id, toolId })) });
    await recordAudit(tx, actor, { action: "bundle.set_tools", targetType: "bundle", targetId: b.id, before: { toolIds: b.tools.map((t) => t.toolId) }, after: { toolIds: input.toolIds } });
    return { id: b.id, toolIds: input.toolIds };
  });
}

export async function setAgentBundles(actor: Actor, input: z.infer<typeof ZAgentSetBundles>) {
  return db.$transaction(async (tx) => {
    const a = await tx.agent.findFirst({ where: { id: input.agentId, ...agentWhereOf(teamScopeOf(actor)) }, select: { id: true, name: true, bundles: { select: { bundleId: true } } } });
    if (!a) throw new AppError("not_found", "No such agent.");
    await tx.agentBundle.deleteMany({ where: { agentId: a.id } });
    await tx.agentBundle.createMany({ data: [...new Set(input.bundleIds)].map((bundleId) => ({ agentId: a.id, bundleId })) });
    await recordAudit(tx, actor, { action: "agent.set_bundles", targetType: "agent", targetId: a.id, before: { bundleIds: a.bundles.map((b) => b.bundleId) }, after: { bundleIds: input.bundleIds } });
    return { agentId: a.id, bundleIds: input.bundleIds };
  });
}
