import "server-only";
import type { z } from "zod";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { recordAudit } from "@/lib/audit/record";
import { effectiveAllowlists } from "@/lib/allowlist/effective";
import { notify } from "@/lib/notify";
import { appendTimeline, timelineEntry } from "@/lib/incidents/timeline";
import { wakeGateways } from "@/lib/outbox/wake";
import { CONTAINMENT_ACTIONS, type ContainmentInput, type ContainmentScopeName } from "./types";
import type { ZContainmentConfirm, ZContainmentCreate, ZContainmentRelease } from "./schema";
import { runInBackground } from "@/lib/background";
import { agentWhereOf, gatewayWhereOf, teamScopeOf, type TeamScope } from "@/lib/teams/scope";

type Ref = { id: string; name: string };
/** Who and what a kill switch reaches. `label` is the name the operator must type to confirm. */
export type BlastRadius = { scope: ContainmentScopeName; target: string; label: string; gateways: Ref[]; agents: (Ref & { gatewayId: string | null })[] };

const TOOL_SEEN_DAYS = 7;

/**
 * Resolve a target and compute its blast radius: which gateways receive the command and which
 * agents it affects. Tools: every gateway (denied fleet-wide), agents whose allowlist has the tool
 * or that called it in the last 7 days. Agents: the agent and its gateway. Gateways: all of its agents.
 * A team-scoped actor (`team`) reaches only their team's agents and gateways: another team's target
 * is "not found"; fleet and tool kill switches (every gateway) and a gateway that also runs other
 * teams' agents are refused (403).
 */
export async function blastRadius(scope: ContainmentScopeName, rawTarget: string, client: Tx | typeof db = db, team: TeamScope = null): Promise<BlastRadius> {
  const target = rawTarget.trim();
  if (team && (scope === "fleet" || scope === "tool")) {
    throw new AppError(
      "forbidden",
      `A ${scope === "fleet" ? "fleet-wide" : "tool-wide"} kill switch reaches every gateway, beyond your team: ask an admin (or contain your team's agents or gateways).`,
    );
  }
  const allGateways = () => client.gateway.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
  if (scope === "fleet") {
    if (target !== "fleet") throw new AppError("invalid", 'The fleet target is "fleet".', { target: ['Use "fleet".'] });
    const [gateways, agents] = await Promise.all([allGateways(), client.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, gatewayId: true } })]);
    return { scope, target: "fleet", label: "fleet", gateways, agents };
  }
  if (scope === "gateway") {
    const g = await client.gateway.findFirst({ where: { ...(isUuid(target) ? { id: target } : { name: target }), ...gatewayWhereOf(team) }, select: { id: true, name: true } });
    if (!g) throw new AppError("not_found", "No such gateway.", { target: ["No gateway with this id or name."] });
    if (team && (await client.agent.count({ where: { gatewayId: g.id, OR: [{ teamId: null }, { teamId: { not: team.teamId } }] } }))) {
      throw new AppError("forbidden", "This gateway also runs agents outside your team: contain your agents one by one, or ask an admin.");
    }
    const agents = await client.agent.findMany({ where: { gatewayId: g.id }, orderBy: { name: "asc" }, select: { id: true, name: true, gatewayId: true } });
    return { scope, target: g.id, label: g.name, gateways: [g], agents };
  }
  if (scope === "agent") {
    const a = await client.agent.findFirst({
      where: { ...(isUuid(target) ? { id: target } : { name: target }), ...agentWhereOf(team) },
      select: { id: true, name: true, gatewayId: true, gateway: { select: { id: true, name: true } } },
    });
    if (!a) throw new AppError("not_found", "No such agent.", { target: ["No agent with this id or name."] });
    return { scope, target: a.id, label: a.name, gateways: a.gateway ? [a.gateway] : [], agents: [{ id: a.id, name: a.name, gatewayId: a.gatewayId }] };
  }
  // tool
  const tool = await client.tool.findUnique({ where: { name: target }, select: { name: true } });
  const since = new Date(Date.now() - TOOL_SEEN_DAYS * 86_400_000);
  // From the hourly rollup (not a scan of tool_calls): agents that called the tool this week.
  const callers = await client.$queryRaw<{ agent_id: string }[]>`
    select distinct agent_key::text as agent_id from tool_call_hourly
     where tool_name = ${target} and hour >= ${since} and agent_key <> '00000000-0000-0000-0000-000000000000'::uuid limit 5000`;
  if (!tool && callers.length === 0) throw new AppError("not_found", "No such tool.", { target: ["No tool with this name in the registry or in recent tool calls."] });
  const allAgents = await client.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, gatewayId: true } });
  const lists = tool ? await effectiveAllowlists(allAgents.map((a) => a.id)) : new Map();
  const calledBy = new Set(callers.map((c) => c.agent_id));
  const agents = allAgents.filter((a) => calledBy.has(a.id) || lists.get(a.id)?.entries.some((e: { toolName: string; status: string }) => e.toolName === target && e.status === "allowed"));
  return { scope, target, label: target, gateways: await allGateways(), agents };
}

function isUuid(s: string) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/**
 * Create a containment action inside the caller's transaction: resolve the target, snapshot the
 * blast radius, write the outbox rows (one per affected gateway), audit, notify and append to the
 * incident timeline. Used by the kill-switch UI/API, playbook triggers and the spend breaker.
 * Call `afterContainCommit(result)` once the transaction has committed to wake the gateways.
 */
export async function containInTx(tx: Tx, actor: Actor, input: ContainmentInput): Promise<{ id: string; gateways: number; gatewayIds: string[] }> {
  if (!(CONTAINMENT_ACTIONS[input.scope] as readonly string[]).includes(input.action)) {
    throw new AppError("invalid", "This action does not apply to that scope.", { action: ["Not available for this scope."] });
  }
  const radius = await blastRadius(input.scope, input.target, tx, teamScopeOf(actor));
  if (input.incidentId && !(await tx.incident.findUnique({ where: { id: input.incidentId }, select: { id: true } }))) {
    throw new AppError("not_found", "No such incident.", { incidentId: ["No incident with this id."] });
  }
  const options = input.scope === "agent" && input.options?.cronOff ? { cronOff: true } : {};
  const affected = { gateways: radius.gateways, agents: radius.agents.map(({ id, name }) => ({ id, name })), label: radius.label };
  const action = await tx.containmentAction.create({
    data: {
      scope: input.scope,
      target: radius.target,
      action: input.action,
      reason: input.reason,
      options,
      source: input.source ?? "manual",
      affected,
      requestedById: actor.userId ?? null,
      incidentId: input.incidentId ?? null,
    },
    select: { id: true, createdAt: true },
  });
  const ws = await tx.gateway.findMany({ where: { id: { in: radius.gateways.map((g) => g.id) }, adminWsUrl: { not: null }, adminTokenEnc: { not: null } }, select: { id: true } });
  const withWs = new Set(ws.map((g) => g.id));
  if (radius.gateways.length) {
    await tx.gatewayCommand.createMany({
      data: radius.gateways.map((g) => ({ actionId: action.id, gatewayId: g.id, kind: "apply", wsState: withWs.has(g.id) ? "pending" : null })),
    });
  }
  const summary = `${actor.label} contained ${input.scope} ${radius.label}: ${input.action.replace(/_/g, " ")} — ${input.reason}`;
  const after = {
    scope: input.scope,
    target: radius.target,
    label: radius.label,
    action: input.action,
    reason: input.reason,
    options,
    source: input.source ?? "manual",
    gateways: radius.gateways.length,
    agents: radius.agents.length,
    incidentId: input.incidentId ?? null,
  };
  await recordAudit(tx, actor, { action: "containment.apply", targetType: "containment_action", targetId: action.id, after });
  await notify(tx, "containment.applied", summary, { containmentId: action.id, ...after });
  await appendTimeline(tx, input.incidentId, timelineEntry.containment({ containmentId: action.id, event: "applied", by: actor.label, ...after }));
  return { id: action.id, gateways: radius.gateways.length, gatewayIds: radius.gateways.map((g) => g.id) };
}

/** After commit: wake the gateways' long-polls and start the admin-WebSocket path. */
export function afterContainCommit(gatewayIds: string[]) {
  wakeGateways(gatewayIds);
  runInBackground(import("@/lib/outbox/ws-path").then((m) => m.kickAdminWs()));
}

/** Kill switch from the console: the typed confirmation must match the target's name. */
export async function containConfirmed(actor: Actor, input: z.infer<typeof ZContainmentConfirm>) {
  const radius = await blastRadius(input.scope, input.target, db, teamScopeOf(actor));
  if (input.confirm.trim() !== radius.label) {
    throw new AppError("invalid", "The confirmation does not match.", { confirm: [`Type "${radius.label}" exactly to confirm.`] });
  }
  return contain(actor, { ...input, source: "manual" });
}

/** Kill switch from automation (`POST /api/v1/containment`). */
export async function contain(actor: Actor, input: z.infer<typeof ZContainmentCreate> & { source?: ContainmentInput["source"] }) {
  const res = await db.$transaction((tx) => containInTx(tx, actor, { ...input, source: input.source ?? (actor.kind === "api_token" ? "api" : "manual") }));
  afterContainCommit(res.gatewayIds);
  return { id: res.id, gateways: res.gateways };
}

/** Undo a containment: a release command goes to every gateway that got the action. */
export async function releaseContainment(actor: Actor, input: z.infer<typeof ZContainmentRelease>) {
  const res = await db.$transaction(async (tx) => {
    const a = await tx.containmentAction.findUnique({
      where: { id: input.id },
      select: {
        id: true,
        status: true,
        scope: true,
        target: true,
        action: true,
        incidentId: true,
        affected: true,
        deliveries: { where: { kind: "apply" }, select: { gatewayId: true, wsState: true } },
      },
    });
    if (!a || !(await containmentInScope(tx, actor, a))) throw new AppError("not_found", "No such containment action.");
    // Row lock + status check: two operators releasing at once produce one release.
    const [locked] = await tx.$queryRaw<{ status: string }[]>`select status::text from containment_actions where id = ${a.id}::uuid for update`;
    if (locked.status !== "active") throw new AppError("conflict", "This containment was already released.");
    await tx.containmentAction.update({ where: { id: a.id }, data: { status: "released", releasedAt: new Date(), releaseReason: input.reason, releasedById: actor.userId ?? null } });
    // Apply commands never delivered need no undo on the gateway, but sending the release anyway is
    // harmless (releases are idempotent) and keeps the order apply → release on every gateway.
    if (a.deliveries.length) {
      await tx.gatewayCommand.createMany({ data: a.deliveries.map((d) => ({ actionId: a.id, gatewayId: d.gatewayId, kind: "release", wsState: d.wsState === null ? null : "pending" })) });
    }
    const label = (a.affected as { label?: string } | null)?.label ?? a.target;
    const after = { scope: a.scope, target: a.target, label, action: a.action, reason: input.reason, gateways: a.deliveries.length };
    await recordAudit(tx, actor, { action: "containment.release", targetType: "containment_action", targetId: a.id, before: { status: "active" }, after: { status: "released", ...after } });
    await notify(tx, "containment.released", `${actor.label} released ${a.scope} ${label} (${a.action.replace(/_/g, " ")}) — ${input.reason}`, { containmentId: a.id, ...after });
    await appendTimeline(tx, a.incidentId, timelineEntry.containment({ containmentId: a.id, event: "released", by: actor.label, ...after }));
    return { id: a.id, gatewayIds: a.deliveries.map((d) => d.gatewayId) };
  });
  afterContainCommit(res.gatewayIds);
  return { id: res.id, status: "released" as const };
}

/** May this actor see (and release) this containment? Fleet-wide actors: all; a team: its agents' and gateways' only. */
export async function containmentInScope(client: Tx | typeof db, actor: Actor, a: { scope: string; target: string }): Promise<boolean> {
  const team = teamScopeOf(actor);
  if (!team) return true;
  if (!isUuid(a.target)) return false;
  if (a.scope === "agent") return Boolean(await client.agent.findFirst({ where: { id: a.target, ...agentWhereOf(team) }, select: { id: true } }));
  if (a.scope === "gateway") return Boolean(await client.gateway.findFirst({ where: { id: a.target, ...gatewayWhereOf(team) }, select: { id: true } }));
  return false;
}
